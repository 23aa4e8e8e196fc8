"""The one palette: every state's colour, declared once for badges, charts and maps.

A :class:`Tone` is a Bootstrap colour name — what a template writes in ``text-bg-{tone}``,
``text-{tone}``, ``border-{tone}`` and the light dot ``light-{tone}`` — that also carries
``.hex``, the same colour for ECharts and the maps, so a state's badge and its bar or point
are one hue. The lights' tones are declared here (:data:`LIGHT_TONES`); a workstream
declares its own statuses' tones in its ``choices.py`` with these tones (``county/``
imports no workstream), and charts and maps read ``tone.hex`` from that one map.

No other module, template or script writes a state's hex colour
(tests/county/test_palette.py scans for it). Tones that Bootstrap lacks get
their classes from :func:`css`, put in every page's head by ``{% palette_css %}``.
"""

from .rules import Light


class Tone(str):
    """A Bootstrap colour name with its hex colour: ``Tone("danger", "#dc3545")``.

    It is the name wherever a string is expected (templates, ``== "danger"``, JSON), and
    ``.hex`` where a colour is.
    """

    hex: str
    text: str  # for a tone Bootstrap lacks: the colour of a badge's text on it ("" else)

    def __new__(cls, name, hex, text=""):
        tone = super().__new__(cls, name)
        tone.hex = hex
        tone.text = text
        return tone

    def __reduce__(self):  # kept in the cache inside a figure or a panel
        return Tone, (str(self), self.hex, self.text)


# Bootstrap 5.3's own colours (static/vendor/bootstrap-5.3.9), so a badge and a bar match.
PRIMARY = Tone("primary", "#0d6efd")
SECONDARY = Tone("secondary", "#6c757d")
SUCCESS = Tone("success", "#198754")
INFO = Tone("info", "#0dcaf0")
WARNING = Tone("warning", "#ffc107")
DANGER = Tone("danger", "#dc3545")
DARK = Tone("dark", "#212529")
# More of Bootstrap's palette, for states that need a hue of their own on a chart: work not
# started yet (light grey), a plan's survey beside its draft, the provincial review beside
# the city's.
GRAY = Tone("gray", "#adb5bd", text="#000")
SKY = Tone("sky", "#9ec5fe", text="#000")
INDIGO = Tone("indigo", "#6610f2", text="#fff")

TONES = (PRIMARY, SECONDARY, SUCCESS, INFO, WARNING, DANGER, DARK, GRAY, SKY, INDIGO)

# The lights: 逾期 red, 临期 amber, 正常 green, 长期 blue; 已完成 grey-blue everywhere, so
# finished work never looks like work on time.
LIGHT_TONES = {
    Light.OVERDUE: DANGER,
    Light.DUE_SOON: WARNING,
    Light.NORMAL: SUCCESS,
    Light.LONG_TERM: INFO,
    Light.DONE: SECONDARY,
}
# Finished work of any kind (已完成, 已销号, 批复/完成) looks like the 已完成 light.
DONE = LIGHT_TONES[Light.DONE]


def css():
    """The stylesheet of the palette: each tone's light dot, and the Bootstrap classes of the
    tones Bootstrap lacks (badge, text, background, border)."""
    rules = [f".light-{t}{{background:{t.hex}}}" for t in TONES]
    for t in TONES:
        if t.text:
            rules += [
                f".text-bg-{t}{{color:{t.text}!important;background-color:{t.hex}!important}}",
                f".bg-{t}{{background-color:{t.hex}!important}}",
                f".text-{t}{{color:{t.hex}!important}}",
                f".border-{t}{{border-color:{t.hex}!important}}",
            ]
    return "\n".join(rules)
