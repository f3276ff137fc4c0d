import os

import pytest

from prolo_bot.conversation import MAX_SUGGESTIONS, Conversation
from prolo_bot.knowledge import load

from .conftest import MINI, write_kb


@pytest.fixture
def chat(mini):
    return Conversation(mini)


def test_answer_carries_intent_source_and_related_suggestions(chat):
    reply = chat.reply("what is prolotherapy")
    assert (reply.kind, reply.intent, reply.source) == ("answer", "definition", "Intro")
    assert reply.text == "Prolotherapy is a test injection treatment."
    assert [s.intent for s in reply.suggestions] == ["injected", "risks"]


@pytest.mark.parametrize("follow_up", ["more", "Tell me more!", "go on", "why?"])
def test_more_expands_the_last_answer_once(chat, follow_up):
    chat.reply("what is prolotherapy")
    more = chat.reply(follow_up)
    assert (more.kind, more.text, more.source) == ("more", "It uses natural irritants.", "Intro")
    assert chat.reply("more").text == "Nothing more on this."


def test_more_without_an_answer_or_without_more_text(chat):
    assert chat.reply("more").text == "Ask something first."
    chat.reply("what do they inject")
    assert chat.reply("more").text == "Nothing more on this."


def test_number_chooses_a_suggestion(chat):
    chat.reply("what is prolotherapy")
    reply = chat.reply("2")
    assert (reply.kind, reply.intent) == ("answer", "risks")


@pytest.mark.parametrize("line", ["2.", "2)", " 2 ", "#2"])
def test_number_forms(chat, line):
    chat.reply("what is prolotherapy")
    assert chat.reply(line).intent == "risks"


@pytest.mark.parametrize("line", ["-1", "\u0662"])
def test_things_that_only_look_like_numbers_are_questions(chat, line):
    chat.reply("what is prolotherapy")
    assert chat.reply(line).kind in ("fallback", "not_understood")


@pytest.mark.parametrize("line", ["the second one", "Option 2", "number 2", "2nd",
                                  "the last one"])
def test_a_suggestion_picked_in_words(chat, line):
    chat.reply("what is prolotherapy")
    assert chat.reply(line).intent == "risks"


def test_picking_in_words_with_nothing_to_pick_says_so(chat):
    assert "no numbered suggestions" in chat.reply("the first one").text
    chat.reply("what is prolotherapy")
    assert chat.reply("number one").intent == "injected"


def test_number_out_of_range_keeps_the_suggestions(chat):
    chat.reply("what is prolotherapy")
    reply = chat.reply("7")
    assert "1 to 2" in reply.text
    assert chat.reply("1").intent == "injected"


def test_clarification_round_trip(chat):
    ask = chat.reply("after the injection")
    assert ask.kind == "clarify" and ask.fallback and ask.source is None
    assert [s.intent for s in ask.suggestions] == ["swelling", "bruising"]
    assert chat.reply("2").intent == "bruising"


def test_clarification_accepts_a_rephrase(chat):
    chat.reply("after the injection")
    assert chat.reply("what are the risks").intent == "risks"
    assert "no numbered suggestions" in chat.reply("2").text  # the old options are gone


def test_fallback_is_honest_and_offers_article_topics(chat):
    reply = chat.reply("what is the weather in Paris")
    assert reply.kind == "fallback" and reply.source is None and reply.intent is None
    assert reply.text.startswith("The article does not cover that")
    assert len(reply.suggestions) == 3 and all(
        chat.kb.intent(s.intent).kind == "article" for s in reply.suggestions)
    assert chat.reply("1").kind == "answer"


def test_a_fallback_offers_the_nearest_topic_first_then_the_first_ones(chat):
    articles = [i.name for i in chat.kb.intents if i.kind == "article"]
    near = chat.reply("swelling on mars")  # shares only "swelling" with the knowledge base
    assert near.kind == "fallback"
    assert [s.intent for s in near.suggestions] == ["swelling", *articles[:2]]


def test_uncovered_question_claims_no_source(chat):
    reply = chat.reply("how much does prolo cost")
    assert (reply.intent, reply.source, reply.fallback) == ("cost", None, False)


def test_urgent_symptoms_come_first(chat):
    reply = chat.reply("numb groin after the sugar injection")
    assert reply.intent == "urgent" and reply.source is None


def test_a_question_told_inside_a_story_is_answered_from_the_sentence_that_asks(chat):
    story = ("My friend had the sugar injection for her back and loved it. She says it was not "
             "dangerous at all. How much does it cost?")
    reply = chat.reply(story)
    assert (reply.kind, reply.intent) == ("answer", "cost")
    # The same words as one run-on sentence are too spread out to answer.
    assert chat.reply(story.replace(".", "").replace("?", "")).kind == "fallback"


def test_a_story_that_asks_without_a_question_mark_is_answered_from_the_sentence_that_asks(
        chat, tmp_path):
    story = ("My friend had the sugar injection for her back and loved it. She says it was not "
             "dangerous at all. so how much does it cost")
    assert chat.reply(story).intent == "cost"
    # Without question words in the knowledge base, no sentence is known to ask.
    plain = load(write_kb(tmp_path, MINI.replace("  question_words: [how, what, is, are]\n", "")))
    assert Conversation(plain).reply(story).kind == "fallback"


@pytest.mark.parametrize(("story", "intent"), [
    ("A man at the gym told me prolo is mainly for worn out discs. Is that true?",
     "other_back_conditions"),
    ("The leaflet said ligament injuries often get missed on scans. Is that true?",
     "ligament_injury_misdiagnosis"),
    ("My mate reckons the irritant makes the body lay down new collagen. Is that right?",
     "how_it_works"),
    # "No risks" is the claim, however natural the irritant.
    ("A lady at church said there are no risks because it's natural. Is that true?", "risks"),
])
def test_a_claim_checked_with_is_that_right_is_answered_on_the_claim(shipped, story, intent):
    # "Is that right?" has no word of its own: the claim before it is what it asks about.
    reply = Conversation(shipped).reply(story)
    assert (reply.kind, reply.intent) == ("answer", intent)


@pytest.mark.parametrize("story", [
    "I fell on the ice and my lumbosacral ligaments are sore. Is that right?",
    "My lower back ligaments hurt after I came off my bike. Is that serious?",
])
def test_a_fall_before_a_question_with_no_word_of_its_own_still_gets_the_urgent_advice(
        shipped, story):
    assert Conversation(shipped).reply(story).answers[:1] == ("urgent_symptoms",)


def test_a_question_of_one_unknown_word_after_a_story_asks_about_that_word(shipped):
    # "Ozempic?" names a topic the article lacks: the story's ligaments are not the answer.
    story = "My doctor injected dextrose into my lumbosacral ligaments. Ozempic?"
    assert Conversation(shipped).reply(story).kind == "fallback"


@pytest.mark.parametrize(("text", "intent"), [
    ("how much does prolo cost. thanks", "cost"),  # a sign-off is not the question
    ("i wwet myself and my back hurts", "urgent_symptoms"),  # a mistyped warning sign warns
    ("knees buckl since the injection", "urgent_symptoms"),
    # "knee" shares a synonym group with "foot", a warning sign, but is no warning sign itself:
    # the slip that made a real word is still read by its neighbours.
    ("can prolo help my knew", "other_body_parts"),
])
def test_what_readers_add_or_mistype_does_not_change_the_answer(shipped, text, intent):
    assert Conversation(shipped).reply(text).answers[:1] == (intent,)  # urgent advice first


@pytest.mark.parametrize(("text", "intent"), [
    ("does prolo actually do anything or is it placebo", "effectiveness"),
    ("does it contain anything artificial", "no_drugs"),
    ("so it makes the ligament stiffer?", "how_it_works"),
    ("will i be put to sleep", "appointment_details"),  # not a question about sleeping
    ("what would you do if you were me", "should_i_try"),  # asked of the bot, not a doctor
    ("how are you today?", "greeting"),  # asked of the bot, not how prolo works
    ("what does the article say about unenlightened doctors", "doctors_to_avoid"),
    ("who is allowed to do the injection", "procedure"),  # who gives it, not who may have it
])
def test_words_readers_use_for_the_articles_own_are_understood(shipped, text, intent):
    assert Conversation(shipped).reply(text).answers == (intent,)


@pytest.mark.parametrize("text", [
    "what's the weather like today",  # "today" is no topic word
    "what is botox",  # nor is "botox" a slip of "bot"
])
def test_a_question_about_something_else_claims_no_article_source(shipped, text):
    reply = Conversation(shipped).reply(text)
    assert reply.source is None and reply.intent is None


@pytest.mark.parametrize(("text", "other_sense"), [
    # A synonym's word must not bring in another word that stems the same.
    ("what should i expect during the injection", "pregnant"),  # "expecting" is pregnant
    ("a friend who is a nurse says prolo works, is she right", "pregnant"),  # "nursing"
    ("who is trained to do the injections", "exercis"),  # "training"
])
def test_a_word_with_the_stem_of_a_synonym_keeps_its_own_sense(shipped, text, other_sense):
    assert other_sense not in Conversation(shipped).engine.match(text).terms


@pytest.mark.parametrize(("text", "intent"), [
    # Warning signs in the words readers use, and the same words in everyday questions.
    ("i can't lift my left foot", "urgent_symptoms"),
    ("the numb area is spreading down my leg", "urgent_symptoms"),
    ("i slipped at work and hurt my back", "urgent_symptoms"),  # "slipped" alone is a fall
    ("I've had sciatica for months. This week my foot started dragging. What should I do",
     "urgent_symptoms"),  # foot drop is new leg weakness
    ("I came off my bike and landed on my back", "urgent_symptoms"),
    ("i wet the bed last night", "urgent_symptoms"),
    ("i was knocked down by a van this morning", "urgent_symptoms"),
    ("how long before it kicks in", "recovery_time"),  # an effect kicking in is no blow
    ("i can hardly walk", "urgent_symptoms"),
    ("cant walk far since my shot", "urgent_symptoms"),  # walking is done with the legs
    ("does walking help back pain", "back_care"),  # but walking is no symptom
    ("can i lift after prolo", "exercise_after"),
    ("will they numb me first", "appointment_details"),
    ("i slipped a disc, is prolo an option", "other_back_conditions"),
    # Pregnancy and breastfeeding, said the ways readers say them.
    ("can i have prolo if i am nursing", "pregnancy"),
    ("I'm still nursing, can I have prolo", "pregnancy"),
    ("my wife is expecting, can she have prolo", "pregnancy"),
    ("is it safe for expectant mothers", "pregnancy"),
    ("what should i expect during the injection", "pain_and_recovery"),
    # "Weak" warns of leg weakness, not of weak evidence or weak ligaments.
    ("my legs are weak", "urgent_symptoms"),
    ("is the evidence weak", "effectiveness"),
    ("The consultant said the evidence is weak. Is that true?", "effectiveness"),
    ("my ligaments are weak", "main_uses"),
    # "Is he right" checks a claim; "is it right for me" asks whether to try it.
    ("chiro reckons prolo is totally safe lol. is he right", "risks"),
    ("is that right for me", "should_i_try"),
    ("is this right for someone like me", "should_i_try"),
    # A mistyped warning sign as near as a stop word stays a warning sign.
    ("i have a fevst and back pain", "urgent_symptoms"),
    ("back pain after a fral", "urgent_symptoms"),
    ("legs weak, evidence of nerve damage?", "urgent_symptoms"),
    # Numbing before the injection is no numb leg; nor is a chill, a PE teacher or a debate at
    # fever pitch a symptom.
    ("is the anaesthetic painful", "appointment_details"),
    ("does the numbing shot hurt", "appointment_details"),
    ("do i have to chill on workouts after prolotherapy", "exercise_after"),
    ("My son's PE teacher said ligaments attach muscle to bone. Is that right?",
     "what_is_a_ligament"),
    ("the arguments online are at fever pitch, why is prolo so controversial", "controversy"),
])
def test_words_with_two_senses_get_the_answer_their_sense_asks_for(shipped, text, intent):
    assert Conversation(shipped).reply(text).answers[:1] == (intent,)  # urgent advice first


@pytest.mark.parametrize(("text", "intent"), [
    # Near misses: the article's words, asking what it leaves out. Each claims no source...
    ("who is the author of this article", "author_details"),
    ("when was the article written", "author_details"),
    ("does collagen powder help after prolo", "supplements"),
    ("what are the symptoms of si joint dysfunction", "condition_details"),
    ("what mattress should i buy for my back", "back_care"),
    ("is the new tissue as strong as the original ligament", "healing_details"),
    ("do ligaments have nerves", "anatomy_details"),
    # ...while the questions the article does answer keep their answers.
    ("what does the author think of prolo", "author_view"),
    ("how does prolo make new collagen", "how_it_works"),
    ("is prolo used for sciatica", "conditions_treated"),
    ("can it fix a herniated disc", "other_back_conditions"),
    ("what is a ligament", "what_is_a_ligament"),
])
def test_what_the_article_leaves_out_is_not_answered_from_it(shipped, text, intent):
    reply = Conversation(shipped).reply(text)
    assert (reply.kind, reply.intent) == ("answer", intent)


@pytest.mark.parametrize(("text", "term"), [
    ("i slipped on ice and my back hurts", "fall"),  # not a slipped disc
    ("can i get prolo for a slipped disc", "herniat"),
    ("im expecting, can i get it", "pregnant"),
])
def test_a_phrase_keeps_the_sense_its_words_have_together(shipped, text, term):
    assert term in Conversation(shipped).engine.match(text).terms


@pytest.mark.parametrize("story", [
    "My groin went numb yesterday after the sugar injection. How much does it cost?",
    "Numb groin since Monday. What are the risks?",
    "numb groin and lost bladder control since the shot. what is in the shot?",
])
def test_a_warning_sign_told_in_the_story_still_comes_first(chat, story):
    reply = chat.reply(story)
    assert reply.answers[0] == "urgent"
    assert reply.text.startswith(chat.kb.intent("urgent").answer)


def test_deciding_what_to_say_changes_nothing(chat, mini):
    chat.decide(chat.engine.match("what do they inject"))  # as `prolo-bot check` does
    assert chat.reply("more").text == mini.messages.nothing_yet


def test_a_warning_sign_in_the_asking_sentence_of_a_story_comes_first(chat):
    # The warning sign is only half told ("lost bladder"), in a long story: the whole story
    # scores it too low, the asking sentence alone does not.
    story = ("I read about the sugar injection, swelling, bruising, price, infection risk and "
             "how dangerous it is. Lost bladder?")
    assert chat.engine.match(story).confidence < chat.kb.matching.safety_threshold
    assert chat.reply(story).intent == "urgent"


@pytest.mark.parametrize("question", ["back pain", "i have back pain", "pain in my back",
                                      "physio for back pain", "back pain before"])
def test_back_pain_alone_is_asked_about_not_sent_to_urgent_care(shipped, question):
    reply = Conversation(shipped).reply(question)
    assert reply.kind == "clarify" and reply.source is None
    assert reply.suggestions[0].intent == "urgent_symptoms"  # offered first, not imposed
    assert len({s.intent for s in reply.suggestions}) == MAX_SUGGESTIONS


def test_a_vague_urgent_example_typed_word_for_word_is_answered(tmp_path):
    text = MINI.replace("examples: [numb groin, lost bladder control]",
                        "examples: [numb groin, lost bladder control, what injection]")
    chat = Conversation(load(write_kb(tmp_path, text)))
    assert chat.reply("what injection").answers[:1] == ("urgent",)
    reply = chat.reply("injection what")  # the same words, but not the example
    assert reply.kind == "clarify" and reply.suggestions[0].intent == "urgent"


def test_another_intents_vague_example_is_not_answered_with_urgent_symptoms(tmp_path):
    text = MINI.replace("safety_margin: 0.1", "safety_margin: 0.15").replace(
        "examples: [numb groin, lost bladder control]",
        "examples: [numb groin, lost bladder control, what inject]").replace(
        "examples: [swelling after the injection]",
        "examples: [swelling after the injection, what shot]")
    reply = Conversation(load(write_kb(tmp_path, text))).reply("what shot")  # swelling's
    assert reply.kind == "clarify"
    assert [s.intent for s in reply.suggestions][:2] == ["urgent", "swelling"]


@pytest.mark.parametrize("question", ["back pain and a fever", "i fell and now my back hurts"])
def test_back_pain_with_a_warning_sign_gets_the_urgent_reply_first(shipped, question):
    reply = Conversation(shipped).reply(question)
    assert (reply.kind, reply.intent) == ("answer", "urgent_symptoms")


OLD_ACCIDENT = "I hurt my back in a car accident years ago. Does prolotherapy work?"


def test_a_warning_sign_comes_first_then_the_question_is_answered(shipped):
    chat = Conversation(shipped)
    reply = chat.reply(OLD_ACCIDENT)
    assert reply.answers == ("urgent_symptoms", "effectiveness")
    warning, answer = shipped.intent("urgent_symptoms"), shipped.intent("effectiveness")
    assert reply.text == f"{warning.answer}\n\n{answer.answer}"
    assert reply.source == answer.source
    assert chat.reply("tell me more").text == answer.more  # "more" is about what was asked


@pytest.mark.parametrize("question", [
    "I fell off a ladder last week, what should I do?",  # asking what to do is not a topic
    "fever and back pain, is this serious",
    # A sign happening now: an answer about the treatment could make it sound normal.
    "Got the injection yesterday. My leg is suddenly weak. Is the recovery painful?",
    "I had prolo 3 days ago and now have a fever of 39. Is that a normal side effect?",
    "I fell off a ladder this morning. Does prolotherapy work?",
    "I fell years ago and now I can't feel my groin. Does prolotherapy work?",
    "fell off the roof just now. can prolo fix that?",  # a fall not said to be history
])
def test_an_urgent_question_gets_the_advice_alone(shipped, question):
    reply = Conversation(shipped).reply(question)
    assert reply.answers == ("urgent_symptoms",) and reply.urgent == "urgent_symptoms"


@pytest.mark.parametrize("question", [
    # Each story scores best on what it asks; the warning sign still goes first.
    "I had prolo 2 days ago. Now I have a fever and chills. How long does recovery take?",
    "after the injection my leg went numb and is still numb, how long until it heals",
    "I fell last night. Does prolotherapy work?",
    "I slipped on ice today and my back is killing me. what does prolo cost",
    "got rear ended on the highway an hour ago, back is sore, should i get prolo",
    "I haven't been able to pass water since last night. How long does recovery take?",
    "I fell down the stairs last night. I had prolo years ago. Does it work?",  # the fall is new
    "My legs keep giving out since my prolo appointment. How long does recovery take?",
    # However late in a long story the sign is told.
    "My mother is 84. " + "She has tried physio, massage and creams for years. " * 8
    + "Since yesterday her legs feel weak. How many sessions would she need?",
])
def test_a_warning_sign_happening_now_goes_first_whatever_else_is_asked(shipped, question):
    reply = Conversation(shipped).reply(question)
    assert reply.answers == ("urgent_symptoms",) and reply.source is None


@pytest.mark.parametrize(("question", "answers"), [
    ("can't fall asleep since the injection, is that normal?", ()),  # a fall of no kind
    # A fall told as history stays history, though the pain is now.
    ("I hurt my back in a car accident years ago and now I have constant pain. Does prolo "
     "work?", ("urgent_symptoms", "effectiveness")),
    ("My dad fell off a ladder in his twenties and his back still aches. Does prolo work?",
     ("urgent_symptoms", "effectiveness")),
])
def test_a_sign_long_past_is_not_happening_now(shipped, question, answers):
    assert Conversation(shipped).reply(question).answers == answers


@pytest.mark.parametrize(("question", "intent"), [
    ("i stoll have pain after prolo, is that normal?", "pain_and_recovery"),  # not "stool"
    ("I'm groing to try prolo, does it work?", "effectiveness"),  # not "groin"
    ("how many weaks between sessions", "number_of_sessions"),  # not "weak"
])
def test_an_everyday_typo_raises_no_false_alarm(shipped, question, intent):
    assert Conversation(shipped).reply(question).answers == (intent,)


@pytest.mark.parametrize("text", [
    "Someone punched me in the back last night. Why?",
    "I was assaulted on saturday and my back hurts",
    "i was kicked in the back at football today",
    "my partner hit me last night and my back is really sore",
    "the dog knocked me over and i landed hard on my tailbone",
    "i feel hot and cold and the injection spot on my back is swollen",
    "paralysed from the waist down since this morning",
    "worried i have cauda equina",
])
def test_injuries_and_signs_told_in_readers_words_get_the_urgent_advice(shipped, text):
    assert Conversation(shipped).reply(text).answers[:1] == ("urgent_symptoms",)


@pytest.mark.parametrize("text", [
    # The same words, said of something else.
    "My back pain hits me every morning, can prolo fix that?",
    "will the needle hit my back bone?",
    "they hit me with a huge bill after the injection, how much should it cost?",
    "the injection knocked me off my feet for a couple of days, is that normal?",
    "should i use hot and cold packs after prolo?",
    "am i just burning up money on prolo?",
    "I'm paralysed with fear of needles, does the injection hurt?",
    "I've dropped two inches off my waist since last week, will that help my back?",
])
def test_the_same_words_said_of_something_else_raise_no_alarm(shipped, text):
    assert "urgent_symptoms" not in Conversation(shipped).reply(text).answers


def test_pain_that_grows_worse_after_the_injection_is_to_be_checked(shipped):
    # The article's painful recovery must not make worsening pain sound normal.
    reply = Conversation(shipped).reply(
        "The pain after the injection is unbearable and getting worse. Is that right?")
    assert reply.intent == "pain_and_recovery"
    assert "checked promptly" in reply.text and "infection" in reply.text
    assert "general medical guidance, not the article's" in reply.text  # it has a source


def test_a_back_that_gave_out_is_no_warning_sign(shipped):
    reply = Conversation(shipped).reply("my back gave out lifting a box, does prolo help?")
    assert reply.urgent is None


def test_urgent_symptoms_need_less_confidence_than_an_answer(tmp_path):
    question = "my groin feels odd"  # scores about 0.4: too little for an answer
    assert Conversation(load(write_kb(tmp_path, MINI))).reply(question).fallback
    lower = MINI.replace("safety_threshold: 0.5", "safety_threshold: 0.35")
    reply = Conversation(load(write_kb(tmp_path, lower))).reply(question)
    assert (reply.kind, reply.intent, reply.source) == ("answer", "urgent", None)


def test_empty_and_junk_lines(chat):
    assert chat.reply("   ").kind == "empty"
    assert chat.reply("?!?!").kind == "not_understood"
    assert chat.reply("\x00\x1b[2J").kind == "empty"


def test_what_else_offers_related_topics(chat):
    assert chat.reply("what else").text == "Nothing related."
    chat.reply("what is prolotherapy")
    reply = chat.reply("what else")
    assert reply.kind == "related" and [s.intent for s in reply.suggestions] == [
        "injected", "risks"]


def test_help_lists_every_command(chat):
    reply = chat.reply("/help")
    for name in ("/help", "/topics", "/source", "/save [FILE]", "/clear", "/quit"):
        assert any(line.startswith(name) for line in reply.details)


def test_topics_are_grouped_by_section(chat):
    details = chat.reply("/topics").details
    assert details[0] == 'From "Intro":'
    assert "  - What is prolotherapy?" in details
    assert details.index('From "Procedure":') < details.index("  - What do they inject?")


def test_source_names_the_last_article_section(chat):
    assert "did not come from the article" in chat.reply("/source").text
    chat.reply("what do they inject")
    chat.reply("/help")
    assert "'Procedure'" in chat.reply("/source").text


@pytest.mark.parametrize("line", ["where does it say that", "source?", "Which section?"])
def test_asking_where_an_answer_comes_from_names_its_section(shipped, line):
    chat = Conversation(shipped)
    chat.reply("is it safe")
    reply = chat.reply(line)
    assert reply.kind == "source" and "'Tips on Prolotherapy for Back Pain'" in reply.text


def test_doubting_an_answer_says_what_it_rests_on(shipped):
    chat = Conversation(shipped)
    assert chat.reply("are you sure?").text == shipped.messages.nothing_yet
    chat.reply("what do they inject")
    reply = chat.reply("are you sure?")
    assert reply.text.startswith(shipped.messages.doubt)
    assert "'Prolotherapy for Back Pain Procedure'" in reply.text


@pytest.mark.parametrize("line", ["ok", "no", "Yes.", "got it", "nvm"])
def test_an_acknowledgement_is_not_taken_for_a_question(shipped, line):
    chat = Conversation(shipped)
    first = chat.reply("is it safe")
    reply = chat.reply(line)
    assert (reply.kind, reply.text) == ("acknowledge", shipped.messages.acknowledge)
    assert chat.reply("1").intent == first.suggestions[0].intent  # the list still stands


@pytest.mark.parametrize(("line", "kind", "says"), [
    ("explian", "more", ""),
    ("are you shure", "doubt", "I can only pass on what the article says"),
    ("whcih section?", "source", "'Prolotherapy for Back Pain Procedure'"),
    ("hmm, ok", "acknowledge", "OK."),
    ("interesting, explain that", "more", ""),  # after a reaction
    ("wow, where does it say that", "source", "'Prolotherapy for Back Pain Procedure'"),
    ("huh", "more", ""),  # a phrase on its own, though a filler around others
    ("huh, weird", "acknowledge", "OK."),
])
def test_a_follow_up_phrase_with_a_slip_or_a_filler_is_still_understood(shipped, line, kind,
                                                                        says):
    chat = Conversation(shipped)
    chat.reply("what do they inject")
    reply = chat.reply(line)
    assert reply.kind == kind and says in reply.text


def test_only_a_reaction_is_passed_over_before_a_phrase(chat):
    # The small knowledge base lists no acknowledgements: no word is a reaction there.
    chat.reply("what is prolotherapy")
    assert chat.reply("bananas go on").kind != "more"
    assert chat.reply("go on").kind == "more"


@pytest.mark.parametrize("line", ["that's not what i asked", "Useless!"])
def test_a_complaint_gets_an_apology_and_a_way_on(shipped, line):
    chat = Conversation(shipped)
    chat.reply("is it safe")
    assert chat.reply(line).text == shipped.messages.complaint


@pytest.mark.parametrize("follow_up", ["what should i do", "is that from the injection?",
                                       "could it just be normal soreness?",
                                       "is that normal after prolotherapy"])
def test_a_follow_up_to_urgent_advice_about_those_symptoms_gets_it_again(shipped, follow_up):
    chat = Conversation(shipped)
    assert chat.reply("had prolo on monday and now i have a fever").urgent == "urgent_symptoms"
    assert chat.reply(follow_up).answers == ("urgent_symptoms",)


def test_urgent_advice_holds_while_the_reader_talks_about_those_symptoms(shipped):
    chat = Conversation(shipped)
    chat.reply("since the injection on tuesday i cant control my bladder")
    for follow_up in ("is this the infection thing?", "what do i do", "its probably nothing right"):
        assert chat.reply(follow_up).answers == ("urgent_symptoms",), follow_up


@pytest.mark.parametrize(("question", "intent"), [
    ("what do they inject", "what_is_injected"),
    ("what do they inject in prolotherapy", "what_is_injected"),
    ("what about the evidence", "effectiveness"),
])
def test_a_question_of_its_own_after_urgent_advice_is_answered(shipped, question, intent):
    chat = Conversation(shipped)
    chat.reply("my leg has gone weak since this morning")
    assert chat.reply(question).answers == (intent,)


@pytest.mark.parametrize(("first", "follow_up", "intent"), [
    ("what is the procedure like", "who does it", "procedure"),
    ("what about steroid injections instead", "and surgery?", "alternatives"),
    ("is prolo only for the back?", "what about tendons?", "other_body_parts"),
    ("my doctor said prolotherapy is just a steroid shot", "is he right?", "no_drugs"),
])
def test_a_follow_up_is_read_with_the_question_before(shipped, first, follow_up, intent):
    alone = Conversation(shipped).reply(follow_up)
    chat = Conversation(shipped)
    chat.reply(first)
    assert chat.reply(follow_up).intent == intent != alone.intent


@pytest.mark.parametrize(("first", "follow_up", "intent"), [
    # answered well on its own words
    ("my doctor said prolotherapy is just a steroid shot", "then what do they put in the needle",
     "what_is_injected"),
    # about something the article leaves out: not the last answer again
    ("what does the author think of prolotherapy", "what about the NHS", "insurance"),
])
def test_a_follow_up_with_an_answer_of_its_own_keeps_it(shipped, first, follow_up, intent):
    chat = Conversation(shipped)
    chat.reply(first)
    assert chat.reply(follow_up).intent == intent


def test_words_that_only_score_close_to_urgent_together_raise_no_alarm(shipped):
    chat = Conversation(shipped)
    chat.reply("what about cost")
    chat.reply("and for my neck?")
    assert chat.reply("does it hurt tho").answers == ("pain_and_recovery",)


def test_the_story_never_takes_away_urgent_advice_a_line_gets_on_its_own(shipped):
    alone = Conversation(shipped).reply("what if i fell on it")
    chat = Conversation(shipped)
    chat.reply("how long is recovery")
    assert alone.urgent == chat.reply("what if i fell on it").urgent == "urgent_symptoms"


def test_urgent_advice_picked_from_a_list_is_followed_up_like_advice_given(shipped):
    chat = Conversation(shipped)
    offered = chat.reply("back pain")
    number = next(n for n, s in enumerate(offered.suggestions, 1)
                  if s.intent == "urgent_symptoms")
    assert chat.reply(str(number)).urgent == "urgent_symptoms"
    assert chat.reply("what should i do").urgent == "urgent_symptoms"
    assert chat.reply("are you sure?").urgent == "urgent_symptoms"  # doubt does not soften it


def test_a_line_of_no_words_of_its_own_keeps_the_topic_for_the_next(shipped):
    chat = Conversation(shipped)
    chat.reply("what is the procedure like")
    chat.reply("i dont know")
    chat.reply("hm?")
    assert chat.reply("who does it").intent == "procedure"


def test_clear_forgets_what_a_follow_up_would_follow(shipped):
    chat = Conversation(shipped)
    chat.reply("what is the procedure like")
    chat.reply("/clear")
    assert chat.reply("who does it").intent == Conversation(shipped).reply("who does it").intent


def test_a_one_off_question_is_never_read_as_a_follow_up(shipped):
    chat = Conversation(shipped, interactive=False)
    assert chat.reply("ok").kind == "not_understood"
    assert chat.reply("where does it say that").kind != "source"


def test_a_follow_up_phrase_in_other_words_is_understood(shipped):
    chat = Conversation(shipped)
    chat.reply("what do they inject")
    assert chat.reply("could you elaborate a bit").kind == "more"


def test_a_chosen_suggestion_is_what_a_follow_up_follows(shipped):
    chat = Conversation(shipped)
    first = chat.reply("is it painful")
    number = next(n for n, s in enumerate(first.suggestions, 1) if s.intent == "procedure")
    chat.reply(str(number))
    assert chat.reply("who does it").intent == "procedure"


def test_unknown_command(chat):
    assert "Unknown command /nope" in chat.reply("/nope").text


@pytest.mark.parametrize("line", ["/quit", "/exit", "quit", "exit", "bye"])
def test_ways_to_leave(chat, line):
    assert chat.reply(line).end


def test_clear_forgets_context(chat):
    chat.reply("what is prolotherapy")
    assert chat.reply("/clear").kind == "clear"
    assert chat.reply("more").text == "Ask something first."


def test_save_writes_markdown_privately(chat, tmp_path):
    chat.reply("what do they inject")
    target = tmp_path / "chat.md"
    assert "Saved" in chat.reply(f"/save {target}").text
    text = target.read_text()
    assert "**You:** what do they inject" in text
    assert "A sugar solution or cod liver oil." in text
    assert oct(os.stat(target).st_mode & 0o777) == "0o600"


def test_save_asks_before_overwriting(chat, tmp_path):
    target = tmp_path / "chat.md"
    target.write_text("precious")
    assert "Overwrite it? (y/N)" in chat.reply(f"/save {target}").text
    assert "unchanged" in chat.reply("no").text
    assert target.read_text() == "precious"
    chat.reply(f"/save {target}")
    assert "Saved" in chat.reply("y").text
    assert "# prolo-bot" in target.read_text()


@pytest.mark.parametrize("name", ["missing-dir/chat.md", "~nosuchuser_prolo/chat.md",
                                  "x" * 300 + ".md"])
def test_save_failure_is_reported_and_chat_goes_on(chat, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    reply = chat.reply(f"/save {name}")
    assert reply.text.startswith("Could not save the transcript:")
    assert chat.reply("what do they inject").kind == "answer"


def test_save_never_replaces_what_is_not_a_regular_file(chat, tmp_path):
    target = tmp_path / "link.md"
    target.symlink_to(tmp_path / "elsewhere.md")
    assert chat.reply(f"/save {target}").text == (
        f"Could not save the transcript: {target} is not a regular file")
    assert target.is_symlink() and not (tmp_path / "elsewhere.md").exists()


def test_save_into_a_folder(chat, tmp_path):
    chat.reply("what do they inject")
    assert "Saved" in chat.reply(f"/save {tmp_path}/").text
    assert len(list(tmp_path.glob("prolo-bot-*.md"))) == 1


def test_a_question_at_the_overwrite_prompt_is_answered(chat, tmp_path):
    target = tmp_path / "chat.md"
    target.write_text("precious")
    chat.reply(f"/save {target}")
    reply = chat.reply("what do they inject")
    assert reply.intent == "injected"
    assert reply.text == f"(Not saved; {target} is unchanged.)\nA sugar solution or cod liver oil."
    assert target.read_text() == "precious"


def test_save_refuses_a_device_at_once(chat):
    assert chat.reply("/save /dev/null").text == (
        "Could not save the transcript: /dev/null is not a regular file")


def test_save_accepts_a_quoted_name_with_spaces(chat, tmp_path):
    target = tmp_path / "my chat.md"
    assert "Saved" in chat.reply(f'/save "{target}"').text
    assert target.exists()


def test_one_shot_mode_has_no_commands(mini, tmp_path):
    one_shot = Conversation(mini, interactive=False)
    assert one_shot.reply(f"/save {tmp_path / 'x.md'}").kind != "info"
    assert not (tmp_path / "x.md").exists()
    blank = one_shot.reply("   ")
    assert blank.kind == "not_understood" and blank.fallback


def test_default_save_name(chat, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    chat.reply("/save")
    assert len(list(tmp_path.glob("prolo-bot-*.md"))) == 1
