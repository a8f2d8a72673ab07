/* isoready portal: sortable tables and instant search.
 *
 * A classic script (no modules, no fetch, no eval, no inline handlers) so it runs under
 * the page's Content-Security-Policy (script-src 'self') from file:// and over http.
 * The search index is a classic script too (search-index.js at the site root, setting
 * window.PORTAL_SEARCH), loaded on first use. Every element built from the index is made
 * with createElement/textContent: the index holds text contributors wrote.
 */
(function () {
  "use strict";

  var doc = document;
  var root = (doc.documentElement.getAttribute("data-root") || ".").replace(/\/+$/, "") || ".";
  doc.documentElement.classList.add("js");

  /* The words the script prints, in the portal's language: the footer's #portal-words holds them (its data-*
   * attributes, made by the templates' gettext); English where a page has none (a team's own template). */
  function say(key, english, values) {
    var words = doc.getElementById ? doc.getElementById("portal-words") : null;
    var text = (words && words.getAttribute("data-" + key)) || english;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function siteUrl(url) {
    return root + "/" + String(url || "").replace(/^\/+/, "");
  }

  /* ------------------------------------------------------------------ sortable tables */

  var collator = (typeof Intl !== "undefined" && Intl.Collator)
    ? new Intl.Collator(undefined, { numeric: true, sensitivity: "base" })
    : null;

  function compareText(a, b) {
    if (a === b) { return 0; }
    // empty values sort last in ascending order
    if (a === "") { return 1; }
    if (b === "") { return -1; }
    if (collator) { return collator.compare(a, b); }
    return a < b ? -1 : 1;
  }

  function cellKey(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    if (cell.hasAttribute("data-key")) { return cell.getAttribute("data-key"); }
    return (cell.textContent || "").replace(/\s+/g, " ").trim();
  }

  function sortTable(table, th) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var index = th.cellIndex;
    var numeric = th.getAttribute("data-sort") === "number";
    var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    var sign = direction === "ascending" ? 1 : -1;

    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
      return { row: row, key: cellKey(row, index), pos: i };
    });
    rows.sort(function (a, b) {
      var c;
      if (numeric) {
        var x = parseFloat(a.key), y = parseFloat(b.key);
        var xn = isNaN(x), yn = isNaN(y);
        c = xn && yn ? 0 : xn ? 1 : yn ? -1 : x - y;
        if (!(xn || yn)) { c = c * sign; }
      } else if (a.key === "" || b.key === "") {
        c = compareText(a.key, b.key); // empty last either way
      } else {
        c = compareText(a.key, b.key) * sign;
      }
      return c || a.pos - b.pos;
    });
    var frag = doc.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r.row); });
    body.appendChild(frag);

    Array.prototype.forEach.call(table.querySelectorAll("thead th[aria-sort]"), function (other) {
      if (other !== th) { other.removeAttribute("aria-sort"); }
    });
    th.setAttribute("aria-sort", direction);
  }

  function initSortable() {
    Array.prototype.forEach.call(doc.querySelectorAll("table.sortable"), function (table) {
      Array.prototype.forEach.call(table.querySelectorAll("thead th[data-sort]"), function (th) {
        var button = th.querySelector("button");
        if (!button) { return; }
        button.addEventListener("click", function () { sortTable(table, th); });
      });
    });
  }

  /* ------------------------------------------------------------------ tables on any screen */

  /* On a phone each row becomes a card whose values are labelled from data-label (CSS). Tables
   * whose template gave no labels get them here, from their column headers. */
  function labelCells() {
    Array.prototype.forEach.call(doc.querySelectorAll("table.data"), function (table) {
      var head = table.tHead && table.tHead.rows[0];
      if (!head) { return; }
      var names = Array.prototype.map.call(head.cells, function (th) {
        return (th.textContent || "").replace(/\s+/g, " ").trim();
      });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (row) {
          if (row.cells.length !== names.length) { return; } // spanning rows keep no labels
          Array.prototype.forEach.call(row.cells, function (cell, i) {
            if (!cell.hasAttribute("data-label") && names[i]) { cell.setAttribute("data-label", names[i]); }
          });
        });
      });
    });
  }

  /* A table wider than its box gets a visible hint above it, and the box can be scrolled from the keyboard. */
  function initScrollHints() {
    var boxes = Array.prototype.slice.call(doc.querySelectorAll(".table-scroll"));
    if (!boxes.length) { return; }
    boxes.forEach(function (box) {
      var hint = el("p", "table-hint", say("table-hint", "This table is wider than the screen: scroll it sideways to see every column."));
      box.parentNode.insertBefore(hint, box);
      box.__hint = hint;
    });
    function update() {
      boxes.forEach(function (box) {
        var wide = box.scrollWidth > box.clientWidth + 1 && window.getComputedStyle(box).overflowX !== "visible";
        box.classList.toggle("is-scrollable", wide);
        box.__hint.classList.toggle("is-shown", wide);
        if (wide) {
          var caption = box.querySelector("caption");
          box.setAttribute("tabindex", "0");
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", (caption ? caption.textContent.trim() + ", " : "") + "scrollable table");
        } else if (box.getAttribute("role") === "region") {
          box.removeAttribute("tabindex");
          box.removeAttribute("role");
          box.removeAttribute("aria-label");
        }
      });
    }
    update();
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(update, 100);
    });
  }

  /* ------------------------------------------------------------------ findings filter */

  /* Without the script the page shows every finding, grouped under "Open" and "Closed" headings.
   * The script adds radio buttons that show one group or both; the choice is kept in the URL's hash. */
  function initFindingFilter() {
    var groups = Array.prototype.slice.call(doc.querySelectorAll("section.finding-group[data-group]"));
    if (groups.length < 2) { return; }
    var fieldset = el("fieldset", "finding-filter");
    fieldset.appendChild(el("legend", null, say("show", "Show")));
    var choices = [["open", say("open", "Open")], ["closed", say("closed", "Closed")], ["all", say("all", "All")]];
    var inputs = {};
    choices.forEach(function (c) {
      var label = el("label");
      var input = doc.createElement("input");
      input.type = "radio";
      input.name = "finding-filter";
      input.value = c[0];
      input.id = "finding-filter-" + c[0];
      label.appendChild(input);
      label.appendChild(doc.createTextNode(c[1]));
      fieldset.appendChild(label);
      inputs[c[0]] = input;
      input.addEventListener("change", function () { if (input.checked) { apply(c[0], true); } });
    });
    groups[0].parentNode.insertBefore(fieldset, groups[0]);

    function apply(value, remember) {
      groups.forEach(function (g) {
        g.hidden = !(value === "all" || g.getAttribute("data-group") === value);
      });
      inputs[value].checked = true;
      if (remember && window.history && window.history.replaceState) {
        try {
          window.history.replaceState(null, "", value === "all" ? window.location.pathname + window.location.search
            : "#show-" + value);
        } catch (err) { /* file:// may refuse; the filter still works */ }
      }
    }
    var m = /^#show-(open|closed|all)$/.exec(window.location.hash || "");
    apply(m ? m[1] : "all", false);
  }

  /* ------------------------------------------------------------------ register rows filter */

  /* A register page (table[data-filter="rows"]) lists every row without the script. The script adds a text box
   * that keeps the rows holding its words and a "flagged rows only" switch; a live line says how many rows show. */
  function initRowFilter() {
    Array.prototype.forEach.call(doc.querySelectorAll('table[data-filter="rows"]'), function (table, n) {
      var body = table.tBodies[0];
      if (!body) { return; }
      var rows = Array.prototype.slice.call(body.rows);
      var box = el("div", "row-filter");
      var id = "row-filter-" + (n + 1);
      var label = el("label", null, say("filter-rows", "Filter rows"));
      label.setAttribute("for", id);
      var input = doc.createElement("input");
      input.type = "search";
      input.id = id;
      input.setAttribute("autocomplete", "off");
      var flaggedLabel = el("label", "row-filter-flagged");
      var flagged = doc.createElement("input");
      flagged.type = "checkbox";
      flaggedLabel.appendChild(flagged);
      flaggedLabel.appendChild(doc.createTextNode(say("flagged-only", "Flagged rows only")));
      var status = el("p", "row-filter-status");
      status.setAttribute("role", "status");
      box.appendChild(label);
      box.appendChild(input);
      box.appendChild(flaggedLabel);
      box.appendChild(status);
      var holder = table.parentNode && table.parentNode.classList.contains("table-scroll") ? table.parentNode : table;
      holder.parentNode.insertBefore(box, holder);

      function apply() {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var only = flagged.checked;
        var shown = 0;
        rows.forEach(function (row) {
          var text = (row.textContent || "").toLowerCase();
          var keep = (!only || row.getAttribute("data-flagged") === "yes") &&
            words.every(function (w) { return text.indexOf(w) !== -1; });
          row.hidden = !keep;
          if (keep) { shown += 1; }
        });
        status.textContent = say("showing", "Showing {shown} of {total} rows.", { shown: shown, total: rows.length });
      }
      input.addEventListener("input", apply);
      flagged.addEventListener("change", apply);
      apply();
    });
  }

  /* ------------------------------------------------------------------ site filter */

  /* A multi-site organisation's coverage matrix and gap report: without the script every row shows and the
   * filter (div.site-filter, its words made at build time) stays hidden. The script shows it; choosing a site
   * hides the target table's rows, and the columns whose header cell has data-sites, that do not name it, and
   * the rows of each further table its data-also names (the gap report's open findings). */
  function initSiteFilter() {
    Array.prototype.forEach.call(doc.querySelectorAll("div.site-filter[data-target]"), function (box) {
      var table = doc.getElementById(box.getAttribute("data-target"));
      var select = box.querySelector("select");
      if (!table || !select || !table.tHead || !table.tBodies[0]) { return; }
      var names = function (node) { return (node.getAttribute("data-sites") || "").split(" "); };
      var columns = [];
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
        if (th.hasAttribute("data-sites")) { columns.push([i, names(th)]); }
      });
      var rows = Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return r.hasAttribute("data-sites"); });
      var others = [];
      (box.getAttribute("data-also") || "").split(" ").forEach(function (id) {
        var more = id ? doc.getElementById(id) : null;
        if (!more || !more.tBodies[0]) { return; }
        Array.prototype.forEach.call(more.tBodies[0].rows, function (r) {
          if (r.hasAttribute("data-sites")) { others.push(r); }
        });
      });
      // the coverage matrix's "Covered" column (its header holds the words): the chosen site's, not the organisation's
      var said = table.tHead.querySelector("th[data-yes]");
      var at = said ? said.cellIndex : -1;
      rows.forEach(function (r) { if (at >= 0 && r.cells[at]) { r.setAttribute("data-whole", r.cells[at].textContent); } });
      function apply() {
        var site = select.value;
        rows.forEach(function (r) {
          r.hidden = !!site && names(r).indexOf(site) === -1;
          if (at < 0 || !r.cells[at] || !r.hasAttribute("data-uncovered-at")) { return; }
          var open = site ? r.getAttribute("data-uncovered-at").split(" ").indexOf(site) !== -1
            : r.getAttribute("data-whole") === said.getAttribute("data-no");
          r.cells[at].textContent = site ? said.getAttribute(open ? "data-no" : "data-yes") : r.getAttribute("data-whole");
          r.classList.toggle("uncovered", open);
        });
        others.forEach(function (r) { r.hidden = !!site && names(r).indexOf(site) === -1; });
        columns.forEach(function (c) {
          var hide = !!site && c[1].indexOf(site) === -1;
          Array.prototype.forEach.call(table.rows, function (r) { if (r.cells[c[0]]) { r.cells[c[0]].hidden = hide; } });
        });
      }
      select.addEventListener("change", apply);
      box.hidden = false;
      apply();
    });
  }

  /* ------------------------------------------------------------------ search index */

  var indexState = "idle"; // idle | loading | ready | failed
  var indexWaiters = [];

  function searchData() {
    return Array.isArray(window.PORTAL_SEARCH) ? window.PORTAL_SEARCH : null;
  }

  function whenIndex(callback) {
    if (searchData()) { indexState = "ready"; if (callback) { callback(searchData()); } return; }
    if (callback) { indexWaiters.push(callback); }
    if (indexState === "loading" || indexState === "failed") { return; }
    indexState = "loading";
    var script = doc.createElement("script");
    script.src = siteUrl("search-index.js");
    script.async = true;
    script.addEventListener("load", function () {
      indexState = searchData() ? "ready" : "failed";
      var waiters = indexWaiters; indexWaiters = [];
      waiters.forEach(function (w) { w(searchData()); });
    });
    script.addEventListener("error", function () {
      indexState = "failed";
      var waiters = indexWaiters; indexWaiters = [];
      waiters.forEach(function (w) { w(null); });
    });
    doc.head.appendChild(script);
  }

  /* Words of scripts written without spaces (Japanese: kanji, hiragana, katakana; Chinese) are runs of
   * characters with no word boundary to split on. A query's run is found where the text holds it whole, or
   * where the text holds the pieces it can be cut into, each two characters or more (監査計画: 監査 and
   * 計画), so a compound term finds the text that writes its words apart. In a query word mixing kana and
   * kanji the hiragana (particles and endings: の, を, する) is left out; hiragana alone is kept. Latin
   * words stay whole words, matched as before. Query and text are NFKC-folded (full-width letters,
   * half-width kana) and lower-cased. */
  var CJK_CHARS = "\u3005\u3006\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var CJK = new RegExp("[" + CJK_CHARS + "]");
  var CJK_RUNS = new RegExp("[" + CJK_CHARS + "]+|[^" + CJK_CHARS + "]+", "g");
  var HIRAGANA_RUNS = /[\u3041-\u309f]+|[^\u3041-\u309f]+/g;
  var HIRAGANA = /^[\u3041-\u309f]+$/;
  /* Japanese punctuation separates words as a space does (、。「」・ and the ideographic space). */
  var WORD_BREAK = /[\s\u3000-\u3004\u3008-\u3020\u30fb]+/;

  var NON_ASCII = /[^\x00-\x7f]/; // NFKC leaves ASCII as it is: English text skips it

  function folded(text) {
    text = String(text || "");
    return (text.normalize && NON_ASCII.test(text) ? text.normalize("NFKC") : text).toLowerCase();
  }

  function terms(query) {
    var out = [];
    function add(t) { if (t && out.indexOf(t) === -1) { out.push(t); } }
    folded(query).split(WORD_BREAK).forEach(function (word) {
      if (!CJK.test(word)) { if (word) { out.push(word); } return; } // as before: every word, repeats too
      word.match(CJK_RUNS).forEach(function (run) {
        if (!CJK.test(run)) { add(run); return; }
        var pieces = run.match(HIRAGANA_RUNS);
        var content = pieces.filter(function (p) { return !HIRAGANA.test(p); });
        (content.length ? content : [run]).forEach(add);
      });
    });
    return out;
  }

  /* Whether the folded text holds term t: whole, or (a run of four or more CJK characters) cut into pieces
   * of two characters or more that it holds each. */
  function holds(text, t) {
    if (text.indexOf(t) !== -1) { return true; }
    if (t.length < 4 || t.length > 32 || !CJK.test(t)) { return false; }
    // the first piece starts the run and the last ends it: most texts fail here, at two look-ups
    if (text.indexOf(t.slice(0, 2)) === -1 || text.indexOf(t.slice(-2)) === -1) { return false; }
    var reach = [true];
    for (var i = 0; i < t.length; i++) {
      if (!reach[i]) { continue; }
      for (var j = i + 2; j <= t.length; j++) {
        if (text.indexOf(t.slice(i, j)) === -1) { break; } // nor any longer piece from i
        reach[j] = true;
      }
    }
    return !!reach[t.length];
  }

  /* What to mark for term t: t itself, and for a CJK run its two-character pieces (they join up where the
   * run is written whole). */
  function marks(t) {
    if (t.length < 3 || !CJK.test(t)) { return [t]; }
    var out = [t];
    for (var i = 0; i + 1 < t.length; i++) { out.push(t.slice(i, i + 2)); }
    return out;
  }

  /* The query as typed, folded: an id or a title holding it whole ranks first. */
  function phrase(query) {
    return folded(query).split(WORD_BREAK).filter(Boolean).join(" ");
  }

  function prepared(item) {
    if (!item.__hay) {
      var id = folded(item.id);
      var title = folded(item.title);
      var type = folded(item.type);
      var text = folded(item.text);
      var facts = folded(item.facts);
      Object.defineProperty(item, "__hay", {
        value: { id: id, title: title, all: type + " " + id + " " + title + " " + facts + " " + text },
        enumerable: false
      });
    }
    return item.__hay;
  }

  /* Every term must occur in type + id + title + text; id and title matches rank first. */
  function search(data, query) {
    var ts = terms(query);
    if (!ts.length || !data) { return []; }
    var q = phrase(query);
    var hits = [];
    data.forEach(function (item, pos) {
      var hay = prepared(item);
      var score = 0;
      for (var i = 0; i < ts.length; i++) {
        var t = ts[i];
        if (!holds(hay.all, t)) { return; }
        if (hay.id === t) { score += 12; }
        else if (hay.id.indexOf(t) === 0) { score += 8; }
        else if (hay.id.indexOf(t) !== -1) { score += 5; }
        if (holds(hay.title, t)) { score += 4; }
      }
      if (hay.id === q) { score += 20; }
      if (hay.title.indexOf(q) !== -1) { score += 2; }
      hits.push({ item: item, score: score, pos: pos });
    });
    hits.sort(function (a, b) { return b.score - a.score || a.pos - b.pos; });
    return hits.map(function (h) { return h.item; });
  }

  /* The tokenizer and the matcher, for tests and a project's own theme scripts. */
  window.isoreadySearch = { terms: terms, search: search, marks: marks };

  function snippet(text, query, length) {
    var clean = String(text || "").replace(/\s+/g, " ").trim();
    length = length || 180;
    if (clean.length <= length) { return clean; }
    var lower = clean.toLowerCase();
    var first = -1;
    terms(query).forEach(function (term) {
      marks(term).forEach(function (t) {
        var at = lower.indexOf(t);
        if (at !== -1 && (first === -1 || at < first)) { first = at; }
      });
    });
    var start = first > 60 ? clean.lastIndexOf(" ", first - 40) : 0;
    if (first > 60 && (start < 0 || first - start > length / 2)) { start = first - 40; } // text with no spaces
    if (start < 0) { start = 0; }
    var end = Math.min(clean.length, start + length);
    var cut = clean.lastIndexOf(" ", end);
    if (cut > start + length / 2 && end < clean.length) { end = cut; }
    return (start > 0 ? "… " : "") + clean.slice(start, end).trim() + (end < clean.length ? " …" : "");
  }

  /* The text as a fragment of text nodes and <mark> elements around every match of a query term.
   * Built with DOM nodes only (never innerHTML): the text is what contributors wrote. */
  function highlighted(text, query) {
    var frag = doc.createDocumentFragment();
    text = String(text || "");
    var lower = text.toLowerCase();
    var ranges = [];
    terms(query).forEach(function (term) {
      marks(term).forEach(function (t) {
        var at = lower.indexOf(t);
        while (at !== -1) {
          ranges.push([at, at + t.length]);
          at = lower.indexOf(t, at + t.length);
        }
      });
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = 0;
    ranges.forEach(function (r) {
      if (r[1] <= pos) { return; }
      var start = Math.max(r[0], pos);
      if (start > pos) { frag.appendChild(doc.createTextNode(text.slice(pos, start))); }
      frag.appendChild(el("mark", null, text.slice(start, r[1])));
      pos = r[1];
    });
    if (pos < text.length) { frag.appendChild(doc.createTextNode(text.slice(pos))); }
    return frag;
  }

  function markedEl(tag, className, text, query) {
    var node = el(tag, className);
    node.appendChild(highlighted(text, query));
    return node;
  }

  /* ------------------------------------------------------------------ header combobox */

  function initHeaderSearch() {
    var input = doc.getElementById("site-search");
    var popup = doc.getElementById("search-popup");
    if (!input || !popup) { return; }
    var form = input.form;
    var active = -1;
    var options = [];
    var MAX = 8;

    function setActive(i) {
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = i;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      popup.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function go(url) {
      window.location.href = url;
    }

    function render() {
      var query = input.value;
      while (popup.firstChild) { popup.removeChild(popup.firstChild); }
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!terms(query).length) { close(); return; }
      var data = searchData();
      if (!data) {
        whenIndex(function () { if (input.value === query) { render(); } });
        return;
      }
      var hits = search(data, query).slice(0, MAX);
      if (!hits.length) {
        var none = el("div", "search-option", say("no-matches", "No matches. Press Enter to search the whole site."));
        none.id = "search-opt-none";
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.setAttribute("aria-selected", "false");
        popup.appendChild(none);
        open();
        return;
      }
      hits.forEach(function (item, i) {
        var opt = el("div", "search-option");
        opt.id = "search-opt-" + i;
        opt.setAttribute("role", "option");
        opt.setAttribute("aria-selected", "false");
        opt.setAttribute("data-href", siteUrl(item.url));
        opt.appendChild(el("span", "result-type", item.type));
        opt.appendChild(markedEl("span", "opt-title", item.title, query));
        if (item.id && item.id !== item.title) { opt.appendChild(el("span", "opt-id", item.id)); }
        // mousedown keeps focus in the input until the click navigates
        opt.addEventListener("mousedown", function (e) { e.preventDefault(); });
        opt.addEventListener("click", function () { go(opt.getAttribute("data-href")); });
        opt.addEventListener("mousemove", function () { if (active !== i) { setActive(i); } });
        popup.appendChild(opt);
        options.push(opt);
      });
      open();
    }

    function warm() { whenIndex(null); }

    input.addEventListener("focus", warm);
    input.addEventListener("input", function () { warm(); render(); });
    input.addEventListener("keydown", function (e) {
      var key = e.key;
      if (key === "ArrowDown" || key === "Down") {
        e.preventDefault();
        if (popup.hidden) { render(); }
        if (options.length) { setActive(active < options.length - 1 ? active + 1 : 0); }
      } else if (key === "ArrowUp" || key === "Up") {
        e.preventDefault();
        if (options.length) { setActive(active > 0 ? active - 1 : options.length - 1); }
      } else if (key === "Enter") {
        if (!popup.hidden && active >= 0 && options[active]) {
          e.preventDefault();
          go(options[active].getAttribute("data-href"));
        } // otherwise the form submits to search.html?q=...
      } else if (key === "Escape" || key === "Esc") {
        if (!popup.hidden) {
          e.preventDefault();
          close();
        } else if (input.value) {
          e.preventDefault();
          input.value = "";
        }
      } else if (key === "Home" || key === "End") {
        setActive(-1);
      }
    });
    input.addEventListener("blur", function () { close(); });
    doc.addEventListener("click", function (e) {
      if (form && !form.contains(e.target)) { close(); }
    });
  }

  /* ------------------------------------------------------------------ search page */

  function initSearchPage() {
    var input = doc.getElementById("search-page-input");
    var list = doc.getElementById("search-results");
    var status = doc.getElementById("search-status");
    if (!input || !list || !status) { return; }
    var form = input.form;
    var initialStatus = status.textContent;
    var timer = null;

    function queryFromUrl() {
      var q = "";
      try {
        q = new URLSearchParams(window.location.search).get("q") || "";
      } catch (err) {
        var m = /[?&]q=([^&#]*)/.exec(window.location.search);
        if (m) {
          try { q = decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e2) { q = m[1]; }
        }
      }
      return q;
    }

    function rememberQuery(q) {
      if (!window.history || !window.history.replaceState) { return; }
      try {
        var url = window.location.pathname + (q ? "?q=" + encodeURIComponent(q) : "") + window.location.hash;
        window.history.replaceState(null, "", url);
      } catch (err) { /* file:// may refuse; the results still show */ }
    }

    function render() {
      var query = input.value;
      var clean = query.replace(/\s+/g, " ").trim();
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!clean) { status.textContent = initialStatus; return; }
      var data = searchData();
      if (!data) {
        status.textContent = indexState === "failed" ? say("index-failed", "The search index could not be loaded.") : say("index-loading", "Loading the search index…");
        whenIndex(function () { if (input.value === query) { render(); } });
        return;
      }
      var hits = search(data, clean);
      var frag = doc.createDocumentFragment();
      hits.forEach(function (item) {
        var li = el("li");
        var head = el("div", "result-head");
        var a = markedEl("a", null, item.title, clean);
        a.href = siteUrl(item.url);
        head.appendChild(a);
        head.appendChild(el("span", "result-type", item.type));
        head.appendChild(markedEl("code", "result-id", item.id, clean));
        li.appendChild(head);
        if (item.facts) { li.appendChild(markedEl("p", "result-facts", item.facts, clean)); }
        var text = snippet(item.text, clean);
        if (text) { li.appendChild(markedEl("p", "result-snippet", text, clean)); }
        frag.appendChild(li);
      });
      list.appendChild(frag);
      var n = hits.length;
      status.textContent = n === 0 ? say("no-results", "No results for “{query}”", { query: clean })
        : say(n === 1 ? "one-result" : "results", n === 1 ? "{n} result for “{query}”" : "{n} results for “{query}”", { n: n, query: clean });
    }

    input.addEventListener("input", function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(function () { render(); rememberQuery(input.value.trim()); }, 120);
    });
    if (form) {
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        render();
        rememberQuery(input.value.trim());
      });
    }

    var q = queryFromUrl();
    if (q) { input.value = q; }
    whenIndex(function () { render(); });
    if (q) { render(); }
  }

  /* On narrow screens the navigation is one row that scrolls sideways: show the current page's entry. */
  function showCurrentNav() {
    var list = doc.querySelector(".site-nav ul");
    var current = list && list.querySelector('[aria-current="page"]');
    if (current && list.scrollWidth > list.clientWidth) {
      var item = current.parentNode;
      list.scrollLeft = Math.max(0, item.offsetLeft - list.offsetLeft - (list.clientWidth - item.offsetWidth) / 2);
    }
  }

  function init() {
    showCurrentNav();
    labelCells();
    initScrollHints();
    initFindingFilter();
    initRowFilter();
    initSiteFilter();
    initSortable();
    initHeaderSearch();
    initSearchPage();
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
