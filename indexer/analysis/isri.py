"""The ISRI root stemmer (Taghva, Elkhoury and Coombs, 2005) as one pure function.

Whoosh ships ISRI (from NLTK) as an object that keeps the word in an
attribute and walks its affix lists in Python loops; the root is most of
the cost of analysing a new word.  This is the same algorithm with the
affix tests done by ``str.startswith``/``endswith`` on tuples, about four
times faster.  It gives Whoosh's results for every word, quirks included
(tests/test_analysis.py checks it against ``whoosh.lang.isri`` on the
lexicon), so an index built by either ranks alike.
"""

_MARKS = str.maketrans("", "", "".join(map(chr, range(0x064B, 0x0653))))  # short vowels
_HAMZA_ALEFS = "آأإ"

# Affixes, in the order the algorithm tries them.
_P3 = ("كال", "بال", "ولل", "وال")
_P2 = ("ال", "لل")
_P1 = ("ل", "ب", "ف", "س", "و", "ي", "ت", "ن", "ا")
_S3 = ("تمل", "همل", "تان", "تين", "كمل")
_S2 = (
    "ون",
    "ات",
    "ان",
    "ين",
    "تن",
    "كم",
    "هن",
    "نا",
    "يا",
    "ها",
    "تم",
    "كن",
    "ني",
    "وا",
    "ما",
    "هم",
)
_S1 = ("ة", "ه", "ي", "ك", "ت", "ا", "ن")

# Left as they are: ISRI's own stop words.
STOP_WORDS = frozenset(
    """
يكون وليس وكان كذلك التي وبين عليها مساء الذي وكانت ولكن والتي تكون اليوم اللذين
عليه كانت لذلك أمام هناك منها مازال لازال لايزال مايزال اصبح أصبح أمسى امسى أضحى
اضحى مابرح مافتئ ماانفك لاسيما ولايزال الحالي اليها الذين فانه والذي وهذا لهذا فكان
ستكون اليه يمكن بهذا الذى
""".split()
)


def isri_root(word: str) -> str:
    """The ISRI root of ``word``, or its normalised form when no pattern fits.

    >>> isri_root("يكتبون"), isri_root("المكتبات"), isri_root("استقلال")
    ('كتب', 'كتب', 'قلل')
    """
    s = word.translate(_MARKS)
    if s in STOP_WORDS:
        return s
    if len(s) >= 6:  # a three- or two-letter prefix; the loop in the paper's code tries كال first
        if s.startswith(_P3[0]):
            s = s[3:]
        elif s.startswith(_P2):
            s = s[2:]
        elif s.startswith(_P3[1:]):
            s = s[3:]
    if len(s) >= 6:  # then a three- or two-letter suffix, tried the same way
        if s.endswith(_S3[0]):
            s = s[:-3]
        elif s.endswith(_S2):
            s = s[:-2]
        elif s.endswith(_S3[1:]):
            s = s[:-3]
    if len(s) >= 4 and s.startswith("وو"):
        s = s[1:]
    if s and s[0] in _HAMZA_ALEFS:
        s = "ا" + s[1:]
    n = len(s)
    if n <= 3:
        return s
    if n == 4:
        return _four(s)
    if n == 5:
        return _end_five(_five(s))
    if n == 6:
        return _end_six(_six(s))
    if n == 7:
        s = _short_suffix(s)
        if len(s) == 7:
            s = _short_prefix(s)
        if len(s) == 6:
            return _end_six(_six(s))
    return s


def _short_suffix(s: str) -> str:
    return s[:-1] if s.endswith(_S1) else s


def _short_prefix(s: str) -> str:
    return s[1:] if s.startswith(_P1) else s


def _four(s: str) -> str:
    """Four letters to a three-letter root: مفعل فاعل فعال فعول فعيل فعلة."""
    if s[0] == "م":
        return s[1:]
    if s[1] == "ا":
        return s[0] + s[2:]
    if s[2] in "اوي":
        return s[:2] + s[3]
    if s[3] == "ة":
        return s[:-1]
    s = _short_suffix(s)
    return _short_prefix(s) if len(s) == 4 else s


def _five(s: str) -> str:
    """Five letters to a three-letter root, by the first pattern that fits."""
    if s[2] in "ات" and s[0] == "ا":  # افتعل افاعل
        return s[1] + s[3:]
    if s[3] in "ايو" and s[0] == "م":  # مفعول مفعال مفعيل
        return s[1:3] + s[4]
    if s[0] in "اتم" and s[4] == "ة":  # مفعلة تفعلة افعلة
        return s[1:4]
    if s[0] in "ميت" and s[2] == "ت":  # مفتعل يفتعل تفتعل
        return s[1] + s[3:]
    if s[0] in "مت" and s[2] == "ا":  # مفاعل تفاعل
        return s[1] + s[3:]
    if s[2] in "او" and s[4] == "ة":  # فعولة فعالة
        return s[:2] + s[3]
    if s[0] in "ام" and s[1] == "ن":  # انفعل منفعل
        return s[2:]
    if s[3] == "ا" and s[0] == "ا":  # افعال
        return s[1:3] + s[4]
    if s[4] == "ن" and s[3] == "ا":  # فعلان
        return s[:3]
    if s[3] == "ي" and s[0] == "ت":  # تفعيل
        return s[1:3] + s[4]
    if s[3] == "و" and s[1] == "ا":  # فاعول
        return s[0] + s[2] + s[4]
    if s[2] == "ا" and s[1] == "و":  # فواعل
        return s[0] + s[3:]
    if s[3] == "ئ" and s[2] == "ا":  # فعائل
        return s[:2] + s[4]
    if s[4] == "ة" and s[1] == "ا":  # فاعلة
        return s[0] + s[2:4]
    if s[4] == "ي" and s[2] == "ا":  # فعالي
        return s[:2] + s[3]
    s = _short_suffix(s)
    return _short_prefix(s) if len(s) == 5 else s


def _five_to_four(s: str) -> str:
    """Five letters to a four-letter root: تفعلل افعلل مفعلل فعللة فعالل."""
    if s[0] in "اتم":
        return s[1:]
    if s[4] == "ة":
        return s[:4]
    if s[2] == "ا":
        return s[:2] + s[3:]
    return s


def _end_five(s: str) -> str:
    n = len(s)
    if n == 4:
        return _four(s)
    if n == 5:
        return _five_to_four(s)
    return s


def _six(s: str) -> str:
    """Six letters to a three-letter root, by the first pattern that fits."""
    if s.startswith(("است", "مست")):  # استفعل مستفعل
        return s[3:]
    if s[0] == "م" and s[3] == "ا" and s[5] == "ة":  # مفعالة
        return s[1:3] + s[4]
    if s[0] == "ا" and s[2] == "ت" and s[4] == "ا":  # افتعال
        return s[1] + s[3] + s[5]
    if s[0] == "ا" and s[3] == "و" and s[2] == s[4]:  # افعوعل
        return s[1] + s[4:]
    if s[0] == "ت" and s[2] == "ا" and s[4] == "ي":  # تفاعيل
        return s[1] + s[3] + s[5]
    s = _short_suffix(s)
    return _short_prefix(s) if len(s) == 6 else s


def _six_to_four(s: str) -> str:
    """Six letters to a four-letter root: افعلال متفعلل."""
    # NOTE: the reference tests only the fifth letter here (its `(a and b) == x`
    # reads as `b == x`); kept, so that roots match it.
    if s[4] == "ا":
        return s[1:4] + s[5]
    if s.startswith("مت"):
        return s[2:]
    return s


def _end_six(s: str) -> str:
    n = len(s)
    if n == 5:
        return _end_five(_five(s))
    if n == 6:
        return _six_to_four(s)
    return s
