/* Roles — progressive enhancement for the public pages.
 *
 * Every page works fully without this file: links are links, forms are GET forms. The CSP allows
 * no inline script, so all behaviour lives here, one feature per top-level function. Pages that
 * need more add their own functions in their own clearly marked section below, and hook them up
 * in their own DOMContentLoaded / htmx listeners.
 */
"use strict";

/* ==== Shared: announcements ===================================================================== */

/** Say `message` once through the polite live region (#announcer in base.html). */
function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) {
    return;
  }
  region.textContent = "";
  // Emptying first and writing after a tick makes screen readers repeat an identical message.
  window.setTimeout(function () {
    region.textContent = message;
  }, 60);
}

/* ==== Copy link ================================================================================ */

/**
 * Turn each `a.item-link` (a plain link to the row's anchor) into a "Copy link" button. CSS
 * draws both as the same small icon; the accessible name says which row the link is to.
 */
function upgradeItemLinks(root) {
  root.querySelectorAll("a.item-link").forEach(function (link) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy-link";
    button.textContent = "Copy link";
    button.title = "Copy link";
    button.dataset.anchor = link.getAttribute("href");
    const name = link.getAttribute("aria-label") || "Link";
    button.setAttribute("aria-label", name.replace(/^Link/, "Copy link"));
    link.replaceWith(button);
  });
}

/** The address to share for an anchor: the page's canonical URL (no filters) plus the anchor. */
function shareableUrl(anchor) {
  const canonical = document.querySelector('link[rel="canonical"]');
  const url = new URL(canonical ? canonical.href : window.location.href);
  url.hash = anchor;
  return url.href;
}

function onCopyLinkClick(event) {
  const button = event.target.closest("button.copy-link");
  if (!button) {
    return;
  }
  const anchor = button.dataset.anchor;
  const url = shareableUrl(anchor);
  const copied = function () {
    // The icon stays; CSS shows a "Copied" bubble beside it and the announcement says so.
    button.classList.add("is-copied");
    announce("Link copied");
    window.setTimeout(function () {
      button.classList.remove("is-copied");
    }, 2000);
  };
  const fallback = function () {
    // No clipboard (an insecure origin or a refused permission): put the link in the address bar.
    window.history.replaceState(window.history.state, "", anchor);
    announce("The link to this item is now in the address bar");
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(url).then(copied, fallback);
  } else {
    fallback();
  }
}

/* ==== After an htmx swap: move focus to the new section and say what changed ==================== */

/**
 * A swapped section that carries `data-announce` gets focus on its heading (tabindex="-1"), or on
 * the element its `data-focus` names, and its message is announced, e.g. "Showing 4 of 12
 * responsibilities, in Strategy".
 */
function onSectionSwapped(event) {
  const section = event.target;
  if (!(section instanceof Element) || !section.hasAttribute("data-announce")) {
    return;
  }
  const named = section.getAttribute("data-focus");
  const heading = named ? document.getElementById(named) : section.querySelector('[tabindex="-1"]');
  if (heading) {
    heading.focus({ preventScroll: false });
  }
  announce(section.getAttribute("data-announce"));
}

/* ==== Live search in the header: an ARIA combobox over #live-results ============================ */

function initLiveSearch() {
  const input = document.getElementById("site-search");
  const list = document.getElementById("live-results");
  if (!input || !list || input.dataset.liveSearch === "on") {
    return;
  }
  input.dataset.liveSearch = "on";
  const form = input.form;
  let active = -1;

  const options = function () {
    return Array.from(list.querySelectorAll('[role="option"]'));
  };

  const setActive = function (index) {
    const all = options();
    active = index;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      option.classList.toggle("is-active", i === index);
    });
    if (index >= 0 && all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const open = function () {
    if (!options().length) {
      close();
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };

  const close = function () {
    setActive(-1);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  };

  list.addEventListener("htmx:afterSwap", function () {
    setActive(-1);
    const count = options().length;
    if (count && document.activeElement === input) {
      open();
      // The last option is "All results", so it is not counted as a suggestion.
      const found = count - 1;
      announce(found + (found === 1 ? " suggestion" : " suggestions") + ", use the arrow keys");
    } else {
      close();
      if (input.value.trim() && document.activeElement === input) {
        announce("No suggestions; press Enter to search");
      }
    }
  });

  input.addEventListener("keydown", function (event) {
    const all = options();
    const expanded = !list.hidden;
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      open();
      setActive(active + 1 >= all.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      open();
      setActive(active <= 0 ? all.length - 1 : active - 1);
    } else if (event.key === "Enter" && expanded && active >= 0 && all[active]) {
      event.preventDefault();
      window.location.assign(all[active].href);
    } else if (event.key === "Escape" && expanded) {
      event.preventDefault();
      close();
      input.focus();
    }
  });

  input.addEventListener("focus", open);
  if (form) {
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) {
        close();
      }
    });
  }
  list.addEventListener("mousemove", function (event) {
    const option = event.target.closest('[role="option"]');
    if (option) {
      setActive(options().indexOf(option));
    }
  });
}

/* ==== Start-up ================================================================================= */

document.addEventListener("DOMContentLoaded", function () {
  upgradeItemLinks(document);
  initLiveSearch();
});
document.addEventListener("click", onCopyLinkClick);
document.addEventListener("htmx:afterSwap", onSectionSwapped);
document.addEventListener("htmx:afterSettle", function () {
  upgradeItemLinks(document);
});

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

/* ==== Teams: a team's own chart ================================================================ */

/**
 * A region swapped in beside the control the visitor is using (the edit page's rules, the start
 * page's suggested activities) leaves focus where it is and says its `data-status`: the inputs
 * are never replaced under the visitor's fingers.
 */
function onStatusSwapped(event) {
  const region = event.target;
  if (region instanceof Element && region.hasAttribute("data-status")) {
    announce(region.getAttribute("data-status"));
  }
}

document.addEventListener("htmx:afterSwap", onStatusSwapped);
