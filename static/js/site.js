/* Roles — progressive enhancement for the public pages. Every page works without this file. */
"use strict";

/* ==== Compare & collaboration ================================================================== */

/**
 * A swapped region that carries `data-title` (the whole comparison, after a role picker or the
 * swap control) brings its own page title and canonical URL, so the tab, bookmarks and the copied
 * item links name the pair now shown rather than the one the page was loaded with.
 */
function onComparisonSwapped(event) {
  const region = event.target;
  if (!(region instanceof Element) || !region.hasAttribute("data-title")) {
    return;
  }
  document.title = region.getAttribute("data-title");
  const canonical = document.querySelector('link[rel="canonical"]');
  if (canonical && region.hasAttribute("data-canonical")) {
    canonical.href = region.getAttribute("data-canonical");
  }
}

document.addEventListener("htmx:afterSwap", onComparisonSwapped);
