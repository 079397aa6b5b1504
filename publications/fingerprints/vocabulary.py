"""The word lists of concept extraction, all lower case and accent-free (as `extract` folds them).

STOPWORDS split a text into chunks: a concept never contains one (English function words,
reporting verbs, vague modifiers, units, bits of statistics). GENERIC words are the vocabulary of
any paper ("study", "patients", "results"): they may stand inside a concept ("cohort study",
"risk factor") but are never a concept on their own. Hyphenated forms ("follow-up") are listed as
written, since a hyphenated word is looked up whole.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English function words: articles, pronouns, prepositions, conjunctions, auxiliaries, adverbs
# of degree and connection. Close to the common IR lists (SMART, NLTK), plus British spellings.
_FUNCTION_WORDS = _words(
    """
    a about above according across after afterwards again against albeit all almost alone along
    already also although always am among amongst an and another any anybody anyhow anyone
    anything anyway anywhere are around as aside at away be became because become becomes
    becoming been before beforehand behind being below beside besides between beyond both but by
    can cannot could did do does doing done down due during each either else elsewhere enough
    especially etc even ever every everyone everything everywhere except far few fewer for former
    formerly from further furthermore had has have having he hence her here hereafter hereby
    herein hers herself him himself his how however i ie if in inasmuch indeed instead into is it
    its itself just last latter latterly least less let lest like likewise little many may maybe
    me meanwhile might mine more moreover most mostly much must my myself namely near nearly
    neither never nevertheless next no nobody none noone nor not nothing now nowhere of off often
    on once one only onto or other others otherwise our ours ourselves out over own per perhaps
    quite rather really same seem seemed seeming seems several shall she should since so some
    somebody somehow someone something sometime sometimes somewhat somewhere still such than
    that the their theirs them themselves then thence there thereafter thereby therefore therein
    thereof thereupon these they this those though through throughout thru thus to together too
    toward towards under unless unlike until up upon us very via was we well were what whatever
    when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which
    while whilst whither who whoever whole whom whose why will with within without would yet you
    your yours yourself yourselves
    can't cannot couldn't didn't doesn't don't hadn't hasn't haven't isn't it's let's shouldn't
    that's there's wasn't weren't won't wouldn't
    two three four five six seven eight nine ten eleven twelve twenty thirty hundred thousand
    million billion first second third fourth fifth firstly secondly thirdly finally lastly
    single double twice half
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    following followed follows prior based upon regarding despite throughout
    """
)

# Verbs and verb forms that report, argue or link rather than name a thing.
_REPORTING_WORDS = _words(
    """
    achieve achieved achieves allow allowed allowing allows appear appeared appears applied apply
    applying assess assessed assessing associated attempt attempted became become becomes
    believe believed belong call called carried carry caused causes cause compare compared
    compares comparing concluded conclude conducted confirm confirmed consider considered
    considering consist consisted consisting consists contain contained containing contains
    contribute contributed contributes could demonstrate demonstrated demonstrates demonstrating
    describe described describes describing determine determined determining develop developed
    developing discuss discussed display displayed enable enabled enables evaluate evaluated
    evaluating examine examined examines examining exhibit exhibited exhibits explore explored
    exploring find finding finds found gave get gets getting give given gives giving go goes
    going gone got identified identifies identify identifying improve improved improves
    improving include included includes including increase increased increases increasing
    indicate indicated indicates indicating investigate investigated investigates investigating
    involve involved involves involving know known lead leading leads led made make makes making
    may measured need needed needs observe observed observes obtain obtained obtaining occur
    occurred occurring occurs offer offered offers perform performed performing performs present
    presented presenting presents propose proposed proposes provide provided provides providing
    reach reached reduce reduced reduces reducing regarding related relative remain remained
    remains report reported reporting reports represent represented represents require required
    requires resulted resulting revealed reveals say see seen show showed showing shown shows
    suggest suggested suggesting suggests support supported supports take taken takes taking
    tend tended tends tested thought undergo underwent undertaken underlying use used uses using
    utilised utilized utilising utilizing vary varied varies was were yield yielded yields
    decrease decreased decreases decreasing enhance enhanced enhances enhancing affect affected
    affects affecting explain explained explains aimed aims aiming seek sought recruited enrolled
    randomised randomized analysed analyzed analysing analyzing calculated estimated estimate
    collected assigned received receiving completed
    play plays played playing help helps helped helping define defined defines defining
    characterise characterised characterize characterized characterizes characterizing
    select selected selecting combined combining record recorded recording detected
    initiated initially targeted treated treating altered correlated correlates correlating
    establish focused focuses focusing focussed address addressed addresses addressing
    """
)

# Modifiers that grade, hedge or compare: "significantly higher", "a novel", "several different".
_VAGUE_MODIFIERS = _words(
    """
    able additional almost already alternative appropriate approximately available average
    better best broad certain clear clearly common commonly comparable considerable consistent
    consistently critical crucial current currently different differential difficult directly
    distinct early easily effective effectively efficient entire essential established
    evident exact extensive fewer fully general generally good great greater greatest high higher
    highest highly important importantly improved independent independently interesting key
    large larger largest late later latest less likely little long longer low lower lowest main
    mainly major marked markedly mean median minor moderate moderately multiple necessary
    negative negatively new newly non novel numerous old older optimal overall particular
    particularly poor poorly positive positively possible possibly potential potentially present
    previous previously primarily primary prior probably promising prospective prospectively
    rapid rapidly rare rarely real recent recently relevant relatively reliable respective
    respectively retrospective retrospectively robust short significant significantly similar
    similarly simple small smaller smallest specific specifically standard strong strongly
    subsequent subsequently substantial substantially successful successfully sufficient
    suitable total true typical typically unclear unique unknown useful usual usually various
    vast wide widely worse worst young younger
    well-known so-called long-term short-term large-scale small-scale high-quality low-quality
    full-text vivo vitro situ silico vs versus et al ca approx eg
    """
)

# Units, statistics and bibliographic noise, as they appear once punctuation is gone.
_UNITS_AND_STATISTICS = _words(
    """
    mg kg ml mm cm nm um mmol umol nmol pmol mol mmhg kda bp kb ms min mins sec hr hrs yr yrs
    wk wks mo l dl ng pg ug
    ci sd se sem iqr rr hr or aor ns df
    fig figs figure figures table tables eq eqs ref refs pp vol no nos
    copyright rights reserved elsevier wiley springer published publisher ltd inc
    """
)

STOPWORDS = _FUNCTION_WORDS | _REPORTING_WORDS | _VAGUE_MODIFIERS | _UNITS_AND_STATISTICS

# Nouns (and a few adjectives) of any paper's prose: allowed inside a concept, never one alone.
# Plural and singular are both listed because the lists are matched before stemming.
GENERIC = _words(
    """
    abstract account accuracy action activity addition advance advances aim aims amount
    analysis analyses answer application applications approach approaches area areas article
    articles aspect aspects assessment assessments association associations assumption attention
    background basis behaviour behavior benefit benefits case cases category categories cause
    causes change changes characteristic characteristics choice claim claims class classes
    comparison comparisons component components concept concepts conclusion conclusions condition
    conditions consequence consequences context contexts contrast contribution control controls
    course criteria criterion data day days decade decades degree degrees design
    designs detail details development difference differences dimension direction discussion
    distribution domain domains effect effects efficacy element elements end evaluation evidence
    example examples experience experiences experiment experiments extent fact factor factors
    feature features field fields finding findings focus form forms framework frameworks function
    functions goal goals group groups half hypothesis hypotheses idea ideas impact impacts
    implication implications importance improvement improvements increase increases individual
    individuals influence information insight insights instance interest introduction investigation
    investigations issue issues item items kind kinds knowledge lack level levels limitation
    limitations literature manner manuscript means measure measures measurement measurements
    mechanism mechanisms method methods methodology model models month months need number numbers
    objective objectives observation observations occurrence order outcome outcomes overview
    paper papers parameter parameters part participant participants parts pattern patterns patient
    patients percent percentage performance period periods person persons perspective phase
    phases place point points population populations portion possibility practice presence
    problem problems procedure procedures process processes production program programs programme
    programmes progress project projects property properties proportion purpose quality question
    questions range rate rates ratio reason reasons reduction reference region regions relation
    relations relationship relationships report reports research researcher researchers response
    responses result results review role roles sample samples scale scheme score scores section
    sections series set sets setting settings side sign significance site sites situation size
    solution solutions source sources stage stages state states step steps strategy strategies
    strength structure structures studies study subject subjects success summary survey system
    systems task tasks technique techniques tendency term terms test tests theme themes theory
    time times tool tools total treatment treatments trend trends trial trials type types
    understanding unit units use user users value values variable variables variation version
    view way ways week weeks work works year years
    follow-up author authors reply letter comment comments commentary editorial erratum
    """
)
