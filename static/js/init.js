// Progressive enhancement only: every page works without this.
import { initAll } from "../build/govuk/govuk-frontend.min.js";

initAll();
