// Progressive enhancement only: every page works without this.
import { initAll } from "../build/govuk/govuk-frontend.min.js";

initAll();

// Progress pages (imports, index builds) reload themselves while work is running.
// Without JavaScript they offer a link to check again instead (no meta refresh, which
// would fail WCAG 2.2.1 for people who need more time).
const refresher = document.querySelector("[data-ndx-auto-refresh]");
if (refresher) {
  const seconds = Number(refresher.getAttribute("data-ndx-auto-refresh")) || 3;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}
