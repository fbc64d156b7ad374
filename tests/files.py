"""Files the tests make: a real (minimal) PDF, transcripts, HTML."""

from __future__ import annotations


def make_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A valid PDF, one text line per page, written by hand so no PDF library is needed."""
    objects: list[str] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    info = f" /Info {3 + 2 * len(pages) + 1} 0 R" if title else ""
    objects.append("<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>")
    font_ref = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_ref} 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    if title:
        objects.append(f"<< /Title ({title}) >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


VTT = b"""WEBVTT

00:00:01.000 --> 00:00:04.500
Welcome to the mixing session.

00:00:04.500 --> 00:00:09.000
First we set the <b>gain</b> of every track.

00:01:10.250 --> 00:01:15.000
Then we compress the vocal with a slow attack.
"""

SRT = b"""1
00:00:00,000 --> 00:00:02,000
Hello and welcome.

2
00:00:02,000 --> 00:00:05,500
Today: sidechain compression.
"""

HTML = b"""<html><head><title>Reverb basics</title><script>var x = 'tracking code';</script></head>
<body><nav>Home | Courses | Login</nav>
<main><h1>Reverb basics</h1><p>Reverb simulates a room.</p>
<h2>Pre-delay</h2><p>Pre-delay separates the dry sound from the reflections.</p>
<ul><li>Short rooms</li><li>Long halls</li></ul></main>
<footer>Copyright somebody</footer></body></html>
"""
