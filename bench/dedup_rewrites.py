"""Generated rewrites of news articles for the de-duplication quality benchmark.

Each generator takes an article and a seeded `random.Random` and returns a changed copy, the
way copies of a story reach a scraped dump: sentences dropped or reordered, words swapped for
synonyms (an article "spinner"), boilerplate lines inserted, truncation to an excerpt, typos,
and several of these at once. Everything is deterministic given the generator's seed, and
nothing is downloaded: the synonym table below is written by hand for common news words.

The kinds, from light to heavy (see `KINDS`):

- ``light``: 1-2 sentences dropped, two sentences swapped, 1-2 boilerplate lines;
- ``reorder``: sentences shuffled within paragraphs and paragraphs shuffled (title kept);
- ``boilerplate``: 3-5 share/newsletter/"Read more" lines inserted around and inside the text;
- ``typos``: a character edit (swap, drop, double, replace) in 1-3% of the words;
- ``excerpt``: the first 30-60% of the text, cut at a sentence end, with a "Read more" line;
- ``synonym-10``/``-25``/``-40``: that share of the content words (not stopwords) swapped for
  a synonym, as far as the table has one: `SYNONYMS` (~480 common news words) covers 31% of
  the content tokens of BBC News, so ``-40`` swaps every word the table knows, ~31%;
- ``mix`` (heavy, a "spun" copy): synonyms at 30%, sentences reordered within and across
  paragraphs, one paragraph dropped, 1% typos, 2-3 boilerplate lines.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from cleaner.dedup.sentences import ENGLISH_STOPWORDS

SYNONYM_TABLE = """
said=stated|noted|remarked
says=states|notes
told=informed|advised
added=continued|went on
years=seasons|twelve-month periods
people=persons|individuals|citizens
new=fresh|novel|latest
government=administration|executive
world=globe|planet
first=initial|opening|earliest
last=final|previous|past
time=period|moment
best=finest|top|greatest
make=create|produce|build
made=created|produced|built
film=movie|picture
game=match|contest|fixture
games=matches|contests
music=songs|tunes
market=marketplace|trade
company=firm|business|corporation
firm=company|business|enterprise
firms=companies|businesses
companies=firms|businesses
election=vote|poll|ballot
party=group|organisation
win=victory|triumph
won=secured|claimed|clinched
think=believe|reckon|feel
minister=secretary|official
technology=tech|engineering
high=elevated|lofty
public=civic|popular
want=wish|desire
wants=wishes|desires
wanted=wished|desired
mobile=cellular|portable
country=nation|state
used=employed|utilised
players=athletes|competitors
player=athlete|competitor
news=reports|tidings
expected=anticipated|forecast
group=band|team|body
sales=turnover|revenue
plans=proposals|schemes
old=aged|elderly|former
half=part|portion
chief=head|leader|boss
service=provision|operation
services=operations|provisions
economy=financial system|economic system
former=previous|ex|erstwhile
long=lengthy|extended
money=cash|funds|finance
director=manager|executive
tax=levy|duty
deal=agreement|pact|accord
right=correct|proper
record=best|unmatched
industry=sector|trade
help=assist|aid|support
based=founded|located
need=require|must have
system=scheme|structure|framework
users=customers|consumers
big=large|huge|major
digital=electronic|computerised
including=incorporating|counting
international=global|worldwide
place=location|site|spot
team=side|squad|outfit
around=about|roughly
report=study|account|review
business=commerce|trade|enterprise
economic=financial|fiscal
called=named|termed|dubbed
great=excellent|terrific|superb
really=truly|genuinely
move=step|shift|change
phone=telephone|handset
software=programs|applications
open=accessible|unlocked
bank=lender|financial institution
life=existence|living
final=last|closing|concluding
future=coming|prospective
hit=struck|smashed|affected
start=beginning|launch|outset
club=team|outfit
took=grabbed|seized|secured
general=broad|overall
came=arrived|emerged
know=understand|realise
better=superior|improved
spokesman=representative|press officer
information=data|details
state=nation|government
office=bureau|department
law=legislation|statute
online=on the web|on the internet
court=tribunal|judiciary
decision=ruling|choice|judgement
real=genuine|actual
computer=machine|pc
despite=in spite of|notwithstanding
president=head of state|leader
found=discovered|uncovered
making=creating|producing
campaign=drive|push|crusade
action=measures|steps
using=employing|utilising
likely=probable|expected
seen=witnessed|observed|viewed
security=safety|protection
figures=statistics|numbers
give=provide|offer|hand
media=press|news outlets
saying=stating|claiming
line=row|queue
given=offered|provided|handed
lot=great deal|large amount
national=countrywide|nationwide
run=operate|manage
awards=prizes|honours
executive=manager|official
away=off|elsewhere
offer=proposal|bid
able=capable|in a position
foreign=overseas|external
countries=nations|states
internet=web|net
star=celebrity|headliner
lost=missed|mislaid|forfeited
times=occasions|instances
become=turn into|grow into
rise=increase|growth|jump
biggest=largest|greatest
match=game|fixture|contest
cup=trophy|tournament
left=departed|quit
look=glance|view
man=person|gentleman
cost=price|expense
secretary=minister|official
playing=competing|performing
later=afterwards|subsequently
taking=seizing|grabbing
early=premature|initial
research=study|investigation
pay=wages|salary
case=situation|matter
past=previous|former
award=prize|honour
hard=difficult|tough
earlier=previously|before
prices=costs|charges
less=fewer|smaller
leader=head|chief
recent=latest|new
cut=reduce|trim|lower
interest=curiosity|attention
analysts=experts|commentators
due=expected|scheduled
role=part|position
spending=expenditure|outlay
house=home|residence
bill=legislation|law
children=kids|youngsters
played=competed|performed
little=small|slight
strong=powerful|robust
important=significant|major
current=present|existing
control=command|power
further=more|additional
support=backing|help
believe=think|feel
went=travelled|headed
season=campaign|term
increase=rise|growth|boost
free=gratis|complimentary
following=after|subsequent to
face=confront|meet
working=labouring|operating
major=key|main|significant
ahead=forward|in advance
budget=financial plan|spending plan
financial=monetary|fiscal
looking=searching|seeking
currently=presently|now
thought=believed|considered
police=officers|constabulary
change=alteration|shift
issue=matter|question
held=kept|maintained
return=comeback|homecoming
films=movies|pictures
different=distinct|various
latest=newest|most recent
announced=declared|revealed
trade=commerce|business
having=possessing|owning
power=authority|control
find=discover|locate
winning=victorious|successful
personal=private|individual
key=crucial|vital
sale=selling|auction
chance=opportunity|prospect
meeting=gathering|session
lead=guide|head
point=issue|argument
programme=show|scheme
keep=retain|hold
include=contain|involve
low=modest|weak
behind=after|trailing
problem=difficulty|issue
taken=captured|seized
claims=allegations|assertions
injury=damage|wound
band=group|act
performance=showing|display
sold=traded|marketed
political=governmental|party
problems=difficulties|issues
clear=obvious|plain
statement=declaration|announcement
men=males|gentlemen
coach=trainer|manager
chairman=chair|head
enough=sufficient|adequate
demand=call|appetite
released=issued|published
rather=instead|quite
head=chief|boss
jobs=positions|posts
job=position|post
network=web|system
manager=boss|supervisor
continue=proceed|carry on
needed=required|necessary
consumer=customer|buyer
price=cost|charge
costs=expenses|charges
list=register|catalogue
result=outcome|consequence
bid=offer|attempt
young=youthful|junior
possible=feasible|achievable
huge=enormous|massive
available=on offer|obtainable
warned=cautioned|alerted
today=now|currently
plan=scheme|proposal
victory=win|triumph
fans=supporters|followers
level=degree|standard
members=participants|associates
allow=permit|let
asked=questioned|queried
investment=funding|capital
issues=problems|concerns
policy=strategy|approach
centre=hub|heart
vote=ballot|poll
close=near|shut
global=worldwide|international
main=chief|principal
known=recognised|familiar
success=triumph|achievement
cash=money|funds
total=entire|whole
beat=defeated|overcame
site=website|location
album=record|release
small=little|minor
rates=levels|charges
live=reside|dwell
several=many|various
trying=attempting|seeking
buy=purchase|acquire
competition=contest|rivalry
human=person|individual
higher=greater|increased
saw=observed|witnessed
previous=prior|earlier
health=wellbeing|fitness
recently=lately|of late
version=edition|variant
reports=accounts|stories
rules=regulations|laws
single=sole|solitary
committee=panel|board
aid=help|assistance
led=guided|headed
agreed=concurred|consented
football=soccer|the game
song=track|tune
customers=clients|buyers
development=growth|progress
stock=shares|equity
evidence=proof|testimony
hope=expect|wish
reported=described|disclosed
short=brief|concise
showed=revealed|demonstrated
difficult=hard|tough
book=volume|novel
failed=flopped|faltered
call=demand|appeal
project=venture|scheme
goal=target|aim
popular=well-liked|favoured
meet=encounter|see
event=occasion|affair
rose=climbed|increased
trial=hearing|test
points=marks|scores
name=title|label
late=tardy|belated
nothing=nil|zero
instead=alternatively|rather
choice=option|selection
family=household|relatives
annual=yearly|once-a-year
growing=expanding|swelling
shows=programmes|broadcasts
champion=titleholder|winner
calls=demands|appeals
board=panel|committee
received=got|obtained
feel=sense|believe
movie=film|picture
mean=signify|denote
stop=halt|end
television=tv|broadcast
release=launch|issue
tour=trip|tournee
claim=assert|allege
summer=summertime|holiday season
sure=certain|confident
test=trial|examination
age=era|period
large=big|sizeable
boss=chief|head
devices=gadgets|machines
debt=liability|arrears
fall=drop|decline
paid=settled|compensated
order=sequence|command
conference=convention|summit
together=jointly|collectively
giant=colossus|titan
launch=introduction|unveiling
involved=concerned|engaged
boost=lift|increase
attacks=assaults|raids
car=vehicle|automobile
changes=alterations|shifts
denied=rejected|refuted
education=schooling|learning
products=goods|wares
fell=dropped|declined
school=academy|college
singer=vocalist|performer
similar=comparable|alike
pressure=strain|stress
leading=top|foremost
love=adore|cherish
talks=negotiations|discussions
stars=celebrities|leads
accused=charged|blamed
potential=possible|prospective
idea=notion|concept
largest=biggest|greatest
create=produce|generate
date=day|occasion
results=outcomes|findings
remain=stay|continue
ensure=guarantee|secure
senior=elder|high-ranking
special=particular|unique
started=began|commenced
turn=twist|spin
quite=rather|fairly
appeal=plea|request
claimed=asserted|alleged
anything=any item|whatever
simply=merely|just
makes=creates|produces
official=formal|authorised
whole=entire|complete
exchange=swap|trade
value=worth|price
provide=supply|deliver
stand=position|stance
hours=periods|spells
drive=push|campaign
independent=autonomous|free
either=any|one or other
night=evening|nighttime
helped=assisted|aided
survey=poll|study
squad=team|side
fight=battle|struggle
period=spell|stretch
bring=carry|deliver
gave=provided|offered
proposals=plans|suggestions
force=compel|oblige
meanwhile=at the same time|in the meantime
everyone=everybody|all
included=contained|involved
compared=contrasted|likened
extra=additional|further
average=typical|mean
systems=schemes|frameworks
wrong=incorrect|mistaken
sell=market|trade
press=media|newspapers
ban=prohibition|bar
forced=compelled|obliged
agency=bureau|organisation
numbers=figures|totals
impact=effect|influence
standard=norm|benchmark
attack=assault|raid
worked=laboured|toiled
speech=address|talk
private=personal|confidential
workers=staff|employees
areas=regions|zones
sector=industry|field
admitted=conceded|acknowledged
groups=bodies|organisations
officials=authorities|representatives
target=objective|goal
history=past|record
soon=shortly|before long
charge=fee|cost
named=called|dubbed
investors=backers|shareholders
view=opinion|perspective
fund=finance|bankroll
happy=pleased|content
opportunity=chance|opening
department=division|ministry
laws=rules|statutes
poor=bad|weak
original=first|initial
staff=employees|workforce
cuts=reductions|savings
community=society|public
course=route|path
process=procedure|method
spent=used|expended
outside=beyond|exterior
energy=power|fuel
particularly=especially|notably
screen=monitor|display
turned=became|grew
concerns=worries|fears
comments=remarks|observations
bought=purchased|acquired
markets=exchanges|bourses
brought=carried|delivered
takes=grabs|gets
tough=hard|demanding
double=twofold|dual
newspaper=paper|daily
moment=instant|minute
decided=resolved|determined
amount=quantity|sum
remains=stays|continues
authorities=officials|powers
focus=attention|emphasis
"""


def parse_synonyms(table: str) -> dict[str, list[str]]:
    """``word -> synonyms`` from the ``word=syn|syn`` lines of `table`."""
    out: dict[str, list[str]] = {}
    for line in table.strip().splitlines():
        word, _, options = line.partition("=")
        out[word.strip()] = [o.strip() for o in options.split("|") if o.strip()]
    return out


SYNONYMS = parse_synonyms(SYNONYM_TABLE)

STOPWORDS = ENGLISH_STOPWORDS

BOILERPLATE = (
    "Share this article",
    "Share on Facebook | Share on Twitter | Email",
    "Sign up for our daily newsletter",
    "Advertisement",
    "Follow us on Twitter for the latest updates.",
    "Read more: Top stories of the day",
    "Read more: What the papers say",
    "Related: More news from this section",
    "Copyright 2005. All rights reserved.",
    "Click here to subscribe",
    "Image caption: File photo",
    "This story has been updated.",
    "Comments are closed.",
    "Most popular stories now",
)

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")

Paragraphs = list[list[str]]


def split_article(text: str) -> tuple[str, Paragraphs]:
    """Title (first line) and the body as paragraphs of sentences."""
    lines = [line.strip() for line in text.strip().splitlines()]
    title, body = (lines[0], lines[1:]) if lines else ("", [])
    paragraphs = [[s for s in _SENTENCE_END.split(line) if s.strip()] for line in body]
    return title, [p for p in paragraphs if p]


def join_article(title: str, paragraphs: Paragraphs) -> str:
    """Inverse of `split_article` (paragraphs separated by blank lines)."""
    blocks = [title] + [" ".join(p) for p in paragraphs if p]
    return "\n\n".join(b for b in blocks if b) + "\n"


def _positions(paragraphs: Paragraphs) -> list[tuple[int, int]]:
    return [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p))]


def drop_sentences(paragraphs: Paragraphs, count: int, rng: random.Random) -> Paragraphs:
    """Remove `count` sentences (never the first of the article)."""
    positions = _positions(paragraphs)[1:]
    drop = set(rng.sample(positions, min(count, max(len(positions) - 1, 0))))
    return [[s for j, s in enumerate(p) if (i, j) not in drop] for i, p in enumerate(paragraphs)]


def swap_sentences(paragraphs: Paragraphs, rng: random.Random) -> Paragraphs:
    """Exchange two sentences anywhere in the body."""
    positions = _positions(paragraphs)
    if len(positions) < 2:
        return paragraphs
    (i, j), (k, m) = rng.sample(positions, 2)
    out = [list(p) for p in paragraphs]
    out[i][j], out[k][m] = out[k][m], out[i][j]
    return out


def shuffle_sentences(paragraphs: Paragraphs, rng: random.Random, *, across: bool) -> Paragraphs:
    """Shuffle sentences within paragraphs and the paragraphs themselves; with `across`, also
    move sentences between paragraphs (paragraph sizes kept)."""
    out = [list(p) for p in paragraphs]
    for p in out:
        rng.shuffle(p)
    rng.shuffle(out)
    if across:
        flat = [s for p in out for s in p]
        rng.shuffle(flat)
        sizes = [len(p) for p in out]
        out, start = [], 0
        for size in sizes:
            out.append(flat[start : start + size])
            start += size
    return out


def insert_boilerplate(paragraphs: Paragraphs, count: int, rng: random.Random) -> Paragraphs:
    """Insert `count` boilerplate lines as their own paragraphs, at the top, end or inside."""
    out = [list(p) for p in paragraphs]
    for line in rng.sample(BOILERPLATE, count):
        out.insert(rng.randint(0, len(out)), [line])
    return out


def _match_case(word: str, template: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def swap_synonyms(text: str, rate: float, rng: random.Random) -> str:
    """Replace `rate` of the content words (non-stopwords) by a synonym from `SYNONYMS`, as
    far as the table covers them; plural ``-s`` forms of table words are handled too."""
    words = list(_WORD.finditer(text))
    content = [m for m in words if m.group().lower() not in STOPWORDS]
    swappable = [m for m in content if _synonym_options(m.group().lower())]
    count = min(len(swappable), round(rate * len(content)))
    chosen = sorted(rng.sample(swappable, count), key=lambda m: m.start())
    out, last = [], 0
    for m in chosen:
        options = _synonym_options(m.group().lower())
        out.append(text[last : m.start()])
        out.append(_match_case(rng.choice(options), m.group()))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _synonym_options(word: str) -> list[str]:
    if word in SYNONYMS:
        return SYNONYMS[word]
    if word.endswith("s") and word[:-1] in SYNONYMS:
        return [o + "s" for o in SYNONYMS[word[:-1]] if " " not in o and not o.endswith("s")]
    return []


def add_typos(text: str, rate: float, rng: random.Random) -> str:
    """A character edit (swap, drop, double, replace) in `rate` of the words of 3+ letters."""
    words = [m for m in _WORD.finditer(text) if len(m.group()) >= 3]
    chosen = sorted(rng.sample(words, round(rate * len(words))), key=lambda m: m.start())
    out, last = [], 0
    for m in chosen:
        out.append(text[last : m.start()])
        out.append(_typo(m.group(), rng))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("swap", "drop", "double", "replace"))
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]


def excerpt(text: str, rng: random.Random) -> str:
    """The first 30-60% of the text (by characters), cut at a sentence end, plus a link line."""
    title, paragraphs = split_article(text)
    budget = rng.uniform(0.3, 0.6) * len(text)
    kept: Paragraphs = []
    used = len(title)
    for p in paragraphs:
        part: list[str] = []
        for s in p:
            if used + len(s) > budget and (part or kept):
                break
            part.append(s)
            used += len(s) + 1
        if part:
            kept.append(part)
        if len(part) < len(p):
            break
    return join_article(title, [*kept, ["Read more on our website."]])


def light(text: str, rng: random.Random) -> str:
    title, paragraphs = split_article(text)
    paragraphs = drop_sentences(paragraphs, rng.randint(1, 2), rng)
    paragraphs = swap_sentences(paragraphs, rng)
    paragraphs = insert_boilerplate(paragraphs, rng.randint(1, 2), rng)
    return join_article(title, paragraphs)


def reorder(text: str, rng: random.Random) -> str:
    title, paragraphs = split_article(text)
    return join_article(title, shuffle_sentences(paragraphs, rng, across=False))


def boilerplate(text: str, rng: random.Random) -> str:
    title, paragraphs = split_article(text)
    return join_article(title, insert_boilerplate(paragraphs, rng.randint(3, 5), rng))


def typos(text: str, rng: random.Random) -> str:
    return add_typos(text, rng.uniform(0.01, 0.03), rng)


def synonyms(rate: float) -> Callable[[str, random.Random], str]:
    def swap(text: str, rng: random.Random) -> str:
        return swap_synonyms(text, rate, rng)

    return swap


def mix(text: str, rng: random.Random) -> str:
    """A spun copy: synonyms, sentences moved within and across paragraphs, a paragraph
    dropped, typos and boilerplate."""
    text = swap_synonyms(text, 0.3, rng)
    title, paragraphs = split_article(text)
    if len(paragraphs) > 2:
        del paragraphs[rng.randrange(1, len(paragraphs))]
    paragraphs = shuffle_sentences(paragraphs, rng, across=True)
    paragraphs = insert_boilerplate(paragraphs, rng.randint(2, 3), rng)
    return add_typos(join_article(title, paragraphs), 0.01, rng)


Generator = Callable[[str, random.Random], str]

KINDS: dict[str, Generator] = {
    "light": light,
    "reorder": reorder,
    "boilerplate": boilerplate,
    "typos": typos,
    "excerpt": excerpt,
    "synonym-10": synonyms(0.10),
    "synonym-25": synonyms(0.25),
    "synonym-40": synonyms(0.40),
    "mix": mix,
}
"""Rewrite kinds, from light to heavy, by name."""

LIGHT_KINDS = frozenset({"light", "reorder", "boilerplate", "typos", "excerpt", "synonym-10"})
"""Kinds whose recall must reach 0.95 (with the near-identical natural copies)."""
