"""The About panel: what the model is, what each view shows, and three things to try.

Written for a first-time visitor (a student, a journalist, a policy reader), in plain language.
The text is HTML rather than Markdown because Solara's Markdown component fetches a maths
renderer from a CDN, and the app must work with no internet access.
"""

from __future__ import annotations

import solara

ABOUT_HTML = """
<h3>What this is</h3>
<p><strong>alliancesim</strong> is a simulation of a military alliance like NATO. Each ally is a
computer "agent" that, year by year, sets its defence budget, decides how to spend it on
capabilities, and decides how many troops to send to a shared operation. Nobody coordinates
these choices: each government looks at its own threats, its voters, its budget and the pressure
from its allies. The model shows what the alliance as a whole ends up with.</p>
<p>Allies come in three <em>postures</em> (Keohane's typology): <strong>activists</strong> are
ready to use force abroad, <strong>defenders</strong> concentrate on defending their own
territory, <strong>free-riders</strong> spend little and rely on the others. The leader (a
US-like ally) spends far more than anyone and presses the rest to do more. The model starts from
real NATO and SIPRI data for 2012 (or from a past year in the ISAF replay), and follows the
design in the project's ODD document.</p>
<p>One step is one year. <strong>Step</strong> runs one year, <strong>▶</strong> plays year
after year (the <em>Pause between years</em> slider sets the speed; ❚❚ pauses),
<strong>Reset</strong> starts again with the scenario, seed and parameters in the sidebar —
a change to any of them waits for Reset, and the sidebar says so. The same scenario,
parameters and seed always give the same run; after you change a parameter, the charts show
the scenario's own run with the same seed as faint lines, so you see what your change did.</p>
<h3>What each view shows</h3>
<ul>
<li><strong>Alliance map</strong>: one square per ally, placed roughly where it is. The colour
is the ally's posture — either the one it <em>declares</em> or the one its behaviour
<em>reveals</em> this year — and the shade is how much it spends (% of GDP) or how many troops
it has deployed. ★ marks the leader. Click a square to follow that ally over time in the
<strong>Ally</strong> tab beside the map.</li>
<li><strong>Burden</strong>: defence spending as a share of GDP for each posture (the leader
apart), against NATO's 2% guideline, the leader's share of all alliance spending, a table of
mean and median burden per posture and the exploitation statistic (do large allies spend a
larger share of GDP?).</li>
<li><strong>Capabilities</strong>: which allies still hold each capability area (air-to-air
refuelling, strategic airlift, ISR, ...). When budgets shrink, allies drop whole areas without
asking what the others keep — <em>specialisation by default</em>. The gap chart shows how far
the alliance falls short of its target in each area.</li>
<li><strong>Operation</strong>: troops sent to an ISAF-like mission against the requirement,
which allies contribute, how many leave early (<em>defections</em>) and how many combat
restrictions (<em>caveats</em>) they keep.</li>
<li><strong>Opinion</strong>: support for the operation (it falls with casualties and the
years) and for defence spending (it rises with threat and falls with austerity).</li>
<li><strong>Play</strong>: steer one ally yourself, year by year, and compare your record
with the agent's in the same seat. <strong>Download</strong>: the run on screen as CSV
tables.</li>
</ul>
<h3>Three things to try</h3>
<ol>
<li><strong>Who free-rides?</strong> Run <em>baseline</em> for a few years with the map shaded
by burden. Then slide <em>Reliance on the leader's guarantee</em> to 0, press Reset and run
again. Do the small allies spend more when they cannot count on the leader?</li>
<li><strong>Specialisation by default.</strong> Choose <em>austerity</em>, press Reset and Play.
Open <em>Capabilities</em> and watch squares turn red as allies abandon areas. Then choose
<em>smart_defence</em> (the same crisis with the smart-defence switches on) and compare the
banner's <em>Holdings abandoned</em> and the shortfall chart of <em>Capabilities</em>.</li>
<li><strong>Why did ISAF hold together?</strong> Run <em>isaf</em> (an alliance operation) and
then <em>isaf_coalition</em> (the same mission as a coalition of the willing) with the same
seed. Compare the defections and caveats in <em>Operation</em>: leaving an alliance costs a
government far more than leaving a coalition.</li>
</ol>
"""


@solara.component
def AboutPanel() -> None:
    """The About text."""
    solara.HTML(tag="div", unsafe_innerHTML=ABOUT_HTML, classes=["alliancesim-about"],
                style="max-width: 880px; padding: 8px 12px; line-height: 1.5")
