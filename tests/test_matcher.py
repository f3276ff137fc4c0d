import pytest

from prolo_bot.knowledge import load
from prolo_bot.matcher import MAX_CHARS, Analyzer, Engine, asking, clean, normalise, stem

from .conftest import MINI, write_kb


@pytest.fixture
def engine(mini):
    return Engine(mini)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What's IN the shot?!", "what in the shot"),
        ("doesn't it hurt", "does not it hurt"),
        ("  lots   of\tspace ", "lots of space"),
        ("caf\u00e9 na\u00efve", "cafe naive"),
        ("\u2019can\u2019t\u2019", "can not"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b]0;title\x07hello", "hello"),
        ("zero\u200bwidth and \u202eright-to-left", "zerowidth and right-to-left"),
        ("nul\x00byte\x07bell", "nul byte bell"),
    ],
)
def test_clean_strips_escape_and_control_characters(text, expected):
    assert clean(text) == expected


def test_clean_bounds_length():
    assert len(clean("a" * 1_000_000)) == MAX_CHARS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My GP mentioned it. How much is it?", "How much is it?"),
        ("Is it safe? I ask because my back is bad. Does it hurt?", "Is it safe? Does it hurt?"),
        ("how much is it?", None),  # one sentence: all of it asks
        ("Is it safe? Does it hurt?", None),  # every sentence asks
        ("My GP mentioned it. I am curious.", None),  # nothing asks
        # With no question mark at all, a last sentence that opens like a question asks...
        ("My GP mentioned it. so how is it done", "so how is it done"),
        ("My GP mentioned it. What is it", "What is it"),
        # ...but only the last: a sign-off after the question leaves the whole message to ask.
        ("how much does prolo cost. thanks", None),
        ("My GP mentioned it. It is sore.", None),  # "is" in second place opens nothing
        ("My GP mentioned it. Can't wait to try it", None),  # as typed, "can't" is no "can"
        ("When I bend it hurts. My GP mentioned it. thanks", None),  # only the last may ask
        # Where a question mark is typed, it alone says which sentence asks.
        ("My GP mentioned it. How much is it? What a day.", "How much is it?"),
    ],
)
def test_asking_finds_the_sentences_that_ask_in_a_story(text, expected):
    assert asking(text, question_words={"how", "what", "is", "can", "when"},
                  lead_ins={"so"}) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("injections", "injection"), ("injected", "inject"), ("injuries", "injury"),
     ("ligaments", "ligament"), ("is", "is"), ("stopped", "stop")],
)
def test_stem(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize(("british", "american"), [
    ("summarise", "summarize"), ("organisation", "organization"), ("paralysed", "paralyzed"),
    ("tumours", "tumors"), ("centre", "center"), ("anaesthetic", "anesthetic"),
])
def test_british_and_american_spellings_meet(british, american):
    assert stem(british) == stem(american)


def test_a_british_spelling_gets_the_answer_the_american_one_does(shipped):
    engine = Engine(shipped)
    assert engine.match("summarise it").intent == engine.match("summarize it").intent


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("what do they inject?", "injected"),
        ("wat do they injcet", "injected"),  # typos
        ("dextrose shot", "injected"),  # synonyms
        ("inject they what do", "injected"),  # word order
        ("how much is prolo", "cost"),  # phrase synonym, topic word ignored
        ("how much does prolotherapy cost", "cost"),
        ("is it dangerous", "risks"),
        ("define this treatment", "definition"),
    ],
)
def test_matches_the_intent_people_mean(engine, question, intent):
    match = engine.match(question)
    assert match.intent is not None and match.intent.name == intent


@pytest.mark.parametrize("question", ["what is the weather in Paris", "banana bread recipe",
                                      "can dogs get prolotherapy"])
def test_unrelated_questions_match_nothing(engine, question):
    assert engine.match(question).intent is None


def test_real_words_are_not_corrected_into_knowledge_words(engine):
    assert "dog" in engine.match("dogs").terms
    assert engine.analyzer.correct("thinks") == "thinks"


def test_stop_words_alone_give_no_terms(engine):
    match = engine.match("what is the")
    assert match.terms == () and match.intent is None and match.confidence == 0


def test_confidence_is_in_unit_range_and_deterministic(engine):
    first = engine.match("what are the risks of a sugar shot")
    again = engine.match("what are the risks of a sugar shot")
    assert first == again
    assert all(0 <= c.score <= 1 for c in first.candidates)


def test_close_runner_up_makes_the_match_ambiguous(engine):
    match = engine.match("after the injection")
    assert match.ambiguous
    assert {c.intent.name for c in match.candidates[:2]} == {"swelling", "bruising"}


def test_a_huge_line_only_reads_its_start(engine):
    match = engine.match("what do they inject " + "blah " * 200_000)
    assert len(match.terms) <= 60


def test_excluded_examples_are_not_matched(mini):
    engine = Engine(mini, exclude=[("injected", "sugar injection")])
    assert all(c.score < 1 for c in engine.match("sugar injection").candidates
               if c.intent.name == "injected")


def test_a_term_given_twice_counts_once(engine):
    terms = engine.match("how much does it cost").terms
    assert engine.rank((*terms, *terms), "how much does it cost") == engine.rank(
        terms, "how much does it cost")


def test_a_mistyped_stop_word_vanishes_instead_of_counting_as_unknown(engine):
    assert engine.match("risks abuot").terms == engine.match("risks").terms


def test_two_slips_in_a_five_letter_word_are_corrected(engine):
    assert engine.analyzer.correct("sgura") == "sugar"
    match = engine.match("sgura injcetoin")
    assert match.intent is not None and match.intent.name == "injected"


@pytest.mark.parametrize("word", [
    "fnagerous",  # two slips that change the first letter
    "inflectoin",  # one slip from "inflection", a real word, though two from "infection"
])
def test_two_slips_are_not_corrected_when_another_reading_is_likelier(engine, word):
    assert engine.analyzer.correct(word) == word


def test_two_slips_near_a_real_word_are_corrected_when_the_question_backs_the_reading(shipped):
    # "tishe" is one slip from an English word but two from "tissue"; an example that says
    # "soft tissue" makes "tissue" the likelier reading, even with "soft" mistyped too.
    analyzer = Analyzer(shipped)
    assert analyzer.terms("soft tishe") == analyzer.terms("soft tissue")
    assert analyzer.terms("sofft tishe") == analyzer.terms("soft tissue")
    # Nothing backs it: an unrelated word, a topic word most examples use, or nothing at all.
    for question in ("weather tishe", "prolo tishe", "tishe"):
        assert "tissu" not in analyzer.terms(question), question
    assert analyzer.correct("tishe") == "tishe"


def test_a_real_word_that_is_jargon_short_of_a_letter_is_read_as_it_when_backed(shipped):
    # "polo" is an English word, but in "polo side effects" it is "prolo" mistyped.
    analyzer = Analyzer(shipped)
    for question in ("polo side effects", "polo for sciatica", "how does polo work"):
        assert analyzer.terms(question) == analyzer.terms(question.replace("polo", "prolo"))
    # Nothing backs it; or it is another slip ("promo", "mends" for "meds"); or the word it is
    # short of is English too ("paid", "pain").
    assert analyzer.terms("polo shirts") == ("polo", "shirt")
    assert analyzer.correct("polo") == "polo"
    assert "promo" in analyzer.terms("is this a promo for the clinic")
    assert "drug" not in analyzer.terms("how long before a torn ligament mends on its own")
    assert "paid" in analyzer.terms("i paid for the injections")


@pytest.mark.parametrize(("typed", "meant"), [
    ("sift tissue", "soft tissue"),
    ("lose ligaments", "loose ligaments"),
    ("cod liner oil", "cod liver oil"),
])
def test_a_slip_that_made_another_real_word_is_read_by_its_neighbours(shipped, typed, meant):
    analyzer = Analyzer(shipped)
    assert analyzer.terms(typed) == analyzer.terms(meant)


@pytest.mark.parametrize(("typed", "meant"), [
    ("is thhe shot painful", "is the shot painful"),  # two slips from "that" ("the" is short)
    ("is the shot railly painful", "is the shot really painful"),  # one slip from "rally"
    ("the physio didnt say what they inject", "the physio did not say what they inject"),
])
def test_a_mistyped_stop_word_drops_out_instead_of_counting_as_unknown(shipped, typed, meant):
    analyzer = Analyzer(shipped)
    assert analyzer.terms(typed) == analyzer.terms(meant)


@pytest.mark.parametrize(("question", "kept"), [
    ("sift the flour", "sift"),  # no example has "soft" beside "flour"
    ("is prolo cold", "cold"),
    ("i paid for the injections", "paid"),
    ("is this a promo for the clinic", "promo"),  # "prolo", a topic word, is never read
    ("how cold is the injection", "cold"),  # "how" and "injection" stand beside anything
    ("will i have fewer back problems after prolo", "fewer"),  # never read as a warning sign
    ("red spots on my back after the shot", "spot"),  # a known word's plural is known
])
def test_a_real_word_stays_when_its_neighbours_do_not_give_a_slip_away(shipped, question, kept):
    assert kept in Analyzer(shipped).terms(question)


def test_a_typo_in_an_example_is_corrected_not_learnt_as_a_word(shipped):
    # Two examples say "wat" for "what": a reader's "wat" must mean "what", not that word.
    analyzer = Analyzer(shipped)
    assert analyzer.terms("wat is prolotherapy") == analyzer.terms("what is prolotherapy")
    assert analyzer.terms("ligamnet") == analyzer.terms("ligament")
    assert analyzer.correct("nsaid") == "nsaid"  # a synonym is chosen on purpose, never a typo


def fruit_speller(tmp_path, examples: list[str]):
    """The speller of MINI plus a small-talk intent with these examples."""
    text = MINI + f"""
  - name: fruit
    kind: smalltalk
    examples: [{", ".join(examples)}]
    answer: Fruit.
"""
    return Analyzer(load(write_kb(tmp_path, text))).speller


def test_a_rare_word_is_a_typo_only_if_it_reads_as_a_far_commoner_word(tmp_path):
    speller = fruit_speller(tmp_path, ["mango lime", "mango kiwi", "mango pear", "mang plum",
                                       "mangp fig", "mangp date"])
    assert "mang" not in speller.known and speller.correct("mang") == "mango"  # 1 use vs 3
    assert "mangp" in speller.known  # 2 uses: "mango" is not three times as common


def test_inflected_stop_words_are_listed_as_stop_words(shipped):
    analyzer = Analyzer(shipped)
    assert analyzer.terms("getting sorts of things done") == analyzer.terms("done")
    assert "even" in analyzer.terms("worse in the evening")  # not the stop word "even"


def test_a_word_an_intent_keeps_using_beats_an_intent_that_uses_it_now_and_then(tmp_path):
    # Each intent has two examples equally like "apple"; file order would favour "juices".
    text = MINI + """
  - name: juices
    kind: smalltalk
    examples: [apple lime, apple kiwi, peach lime, mango lime, grape lime, plum lime, pear lime]
    answer: Juices.
  - name: pies
    kind: smalltalk
    examples: [apple tart, apple cake]
    answer: Pies.
"""
    engine = Engine(load(write_kb(tmp_path, text)))
    assert [c.intent.name for c in engine.match("apple").candidates[:2]] == ["pies", "juices"]


@pytest.mark.parametrize(("word", "expected"), [
    ("hust", "hurt"),  # of two words one slip away, the one with the same first letter ("just")
    ("actualy", "actually"),  # then the more used one, stop words included ("actual")
    ("monday", "monday"),  # days and months are words too: not "money"
])
def test_typo_correction_prefers_the_likelier_reading(shipped, word, expected):
    assert Analyzer(shipped).correct(word) == expected


@pytest.mark.parametrize(("question", "intent"), [
    ("would that help my sciatica", "conditions_treated"),  # asks if it helps, thanks no one
    ("thanks that helped", "thanks"),
    ("is it helpful", "effectiveness"),
    ("that's helpful", "thanks"),
    ("is it good", "should_i_try"),  # "good" alone is no "good morning"
    ("good morning", "greeting"),
])
def test_whether_something_helps_is_a_question_not_thanks(shipped, question, intent):
    match = Engine(shipped).match(question, verbatim=False)
    assert match.intent is not None and match.intent.name == intent


@pytest.mark.parametrize(("question", "intent"), [
    ("what do you inject", "what_is_injected"),  # "you" is anyone, not the bot
    ("who are you", "about_bot"),
])
def test_you_means_the_bot_only_in_questions_about_it(shipped, question, intent):
    match = Engine(shipped).match(question, verbatim=False)
    assert match.intent is not None and match.intent.name == intent


def test_inflected_filler_does_not_count_as_an_unknown_word(shipped):
    match = Engine(shipped).match("i wondered what they inject")
    assert match.intent is not None and match.intent.name == "what_is_injected"


def test_an_unknown_real_word_weighs_more_than_a_garbled_one(engine):
    # "horses" names a topic the knowledge base lacks; "hxqzvs" is more likely a lost typo.
    real = engine.match("what is prolotherapy for horses").confidence
    garbled = engine.match("what is prolotherapy for hxqzvs").confidence
    assert garbled - real > 0.01  # pooling keeps 0.7 to 1 of a difference in examples' scores


@pytest.mark.parametrize("question", ["infection injection", "dangerous sugar"])
def test_a_question_split_between_two_topics_is_not_answered_by_either(engine, question):
    words = normalise(question)
    closest = engine.rank(engine.analyzer.terms(words), words)[0]
    assert closest.score >= engine.kb.matching.threshold  # its best example alone would answer
    assert engine.match(question).intent is None  # but its words are spread over two intents


def test_an_example_typo_repeated_in_several_examples_is_still_read_as_a_typo(tmp_path):
    # Three examples repeat the slip; the word they mean is used over three times as often.
    text = MINI.replace("examples: [what is prolotherapy, define prolotherapy, "
                        "explain prolotherapy]",
                        "examples: [what is prolotherapy, define prolotherapy, explain "
                        "prolotherapy, prolotherapy basics, prolotherapy meaning, prolotherapy "
                        "explained, prolotherapy overview, about prolotherapy, prolotherapy in "
                        "short, what is prolotheraphy, prolotheraphy summary, prolotheraphy?]")
    assert text != MINI
    engine = Engine(load(write_kb(tmp_path, text)))
    assert engine.match("prolotheraphy for my back").terms[0] == "prolotherapy"


def test_a_slip_in_an_examples_own_typo_reads_as_the_word_it_means(tmp_path):
    # "mnagp" is a typo of "mango" in the examples; "mnagpp" is one slip from it and three
    # from "mango": it reads as "mango", not as the typo, nor as an unknown word.
    speller = fruit_speller(tmp_path, ["mango lime", "mango kiwi", "mango pear", "mango plum",
                                       "mango fig", "mnagp date"])
    assert speller.correct("mnagp") == "mango"
    assert speller.correct("mnagpp") == "mango"


def test_two_slips_include_a_swap_next_to_an_added_letter(shipped):
    # "lgziament": "ligament" with "ig" swapped and a letter added inside the swap, which
    # the restricted edit distance counts as three slips.
    assert Analyzer(shipped).correct("lgziament") == "ligament"


@pytest.mark.parametrize("question", ["poro side effects", "does poro hurt"])
def test_two_slips_from_a_word_far_commoner_than_any_one_slip_away_read_as_it(shipped,
                                                                              question):
    # "poro" is one slip from "pro" and two from "prolo", which the examples use a hundred
    # times as often: "prolo" is the likelier reading.
    analyzer = Analyzer(shipped)
    words = question.split()
    typo = next(w for w in words if w.startswith("p"))
    assert analyzer.terms(question) == analyzer.terms(question.replace(typo, "prolo"))


@pytest.mark.parametrize(("word", "expected"), [
    ("wwet", "wet"), ("hott", "hot"), ("pooo", "poo"),  # a letter doubled: the commonest slip
    ("pfoo", "poo"), ("bucke", "buckle"), ("pina", "pins"),  # a warning sign is never outvoted
    ("lotts", "lots"), ("dosent", "doesnt"),  # a stop word one slip away stays one
    ("ahtor", "author"), ("sholdr", "shoulder"),  # an example's typo weighs as its word
])
def test_a_far_commoner_word_two_slips_away_does_not_outvote_every_one_slip_reading(shipped,
                                                                                   word,
                                                                                   expected):
    assert Analyzer(shipped).correct(word) == expected


@pytest.mark.parametrize(("question", "typo", "meant"), [
    ("pfoo side effects", "pfoo", "prolo"),  # the rest backs "prolo" and tells of no sign
    ("is ploo a scam", "ploo", "prolo"),
    ("cant control my pfoo", "pfoo", "poo"),  # "control" tells of the sign
    ("i cnanot hold my watr", "watr", "water"),  # "hold" is a word of a warning sign
    ("sugar watr", "watr", "water"),  # an example has "water" beside "sugar"
    ("i cant wlak after prolo", "wlak", "walk"),  # "what" is not a hundred times as common
    ("my knees buckl after prolo", "buckl", "buckle"),  # "back" is a warning word too
    ("souled myself after prolo", "souled", "soiled"),  # only jargon outvotes: not "should"
    ("ploo leaking out after prolo", "ploo", "poo"),  # "prolo" is there already
    ("pfoo side effects since yesterday", "pfoo", "poo"),  # told as recent, as a symptom is
])
def test_a_warning_sign_one_slip_away_gives_way_only_to_a_word_the_question_backs(
        shipped, question, typo, meant):
    # "pfoo" is one slip from "poo" and two from "prolo", used a hundred times as often.
    analyzer = Analyzer(shipped)
    assert analyzer.terms(question) == analyzer.terms(question.replace(typo, meant))


def test_a_typo_that_reads_as_another_typo_reads_as_the_word_both_mean(tmp_path):
    # "mnagp" is one slip from the typo "mangp", which is one slip from "mango"; whichever
    # is met first, both read as "mango".
    fruit = ["mango lime", "mango kiwi", "mango pear", "mango plum", "mango fig",
             "mango date", "mango nut", "mango tea", "mango jam", "mango pie",
             "mangp tart", "mangp cake", "mangp bun", "mnagp nut"]
    for examples in (fruit, fruit[::-1]):
        speller = fruit_speller(tmp_path, examples)
        assert (speller.correct("mangp"), speller.correct("mnagp")) == ("mango", "mango")
