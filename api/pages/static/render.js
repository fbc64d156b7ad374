// Answer text to safe HTML: everything is escaped first, then a small markdown subset (paragraphs,
// lists, **bold**, `code`) and citation markers [n] become links to the cited lesson heading.

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function inline(text, byNumber) {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\[(\d{1,2})\]/g, (match, n) => {
      const c = byNumber.get(Number(n));
      if (!c) return match;
      const title = escapeHtml(c.heading && c.heading !== c.lesson_title ? `${c.lesson_title} › ${c.heading}` : c.lesson_title);
      return `<a class="cite" href="${escapeHtml(c.url)}" target="_blank" rel="noopener" title="${title}" aria-label="Source ${n}: ${title}">[${n}]</a>`;
    });
}

export function renderAnswer(text, citations) {
  const byNumber = new Map(citations.map((c) => [c.n, c]));
  return text.trim().split(/\n{2,}/).map((block) => {
    const lines = block.split("\n");
    if (lines.every((l) => /^\s*([-*]|\d+\.)\s+/.test(l))) {
      const ordered = /^\s*\d+\./.test(lines[0]);
      const items = lines.map((l) => `<li>${inline(l.replace(/^\s*([-*]|\d+\.)\s+/, ""), byNumber)}</li>`).join("");
      return ordered ? `<ol>${items}</ol>` : `<ul>${items}</ul>`;
    }
    return `<p>${lines.map((l) => inline(l, byNumber)).join("<br>")}</p>`;
  }).join("");
}
