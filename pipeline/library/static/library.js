/* The index's search, filters and sorting: an enhancement of a page that lists
   every text without it. The query is kept in the address (?q=…&author=…&lang=…
   &topic=…&sort=…) so that a search can be shared. Plain ES5, for old browsers. */
(function () {
  "use strict";
  var list = document.getElementById("texts");
  var form = document.getElementById("filters");
  if (!list || !form || !document.querySelectorAll) { return; }
  var rows = Array.prototype.slice.call(list.children);
  var fields = {};
  ["q", "author", "lang", "topic", "sort"].forEach(function (name) { fields[name] = document.getElementById(name); });
  var shown = document.getElementById("shown");
  var none = document.getElementById("none");

  function fold(text) {
    text = String(text || "");
    if (text.normalize) { text = text.normalize("NFKD").replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g, ""); }
    return text.toLowerCase();
  }
  function text(row, selector) {
    var el = row.querySelector(selector);
    return el ? el.textContent : "";
  }
  function split(value) { return value ? value.split("|") : []; }

  var collator = window.Intl && Intl.Collator ? new Intl.Collator(undefined, { sensitivity: "base", numeric: true }) : null;
  function compare(a, b) {
    if (collator) { return collator.compare(a, b); }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  var items = rows.map(function (row, n) {
    var line = text(row, ".authors"), topicLine = text(row, ".topics");
    var authors = row.hasAttribute("data-authors") ? split(row.getAttribute("data-authors")) : line ? [line] : [];
    var topics = topicLine ? topicLine.split(" \u00b7 ") : [];
    return {
      row: row, n: n, authors: authors, topics: topics,
      lang: row.getAttribute("data-lang") || "",
      date: row.getAttribute("data-date") || "",
      sortAuthor: row.getAttribute("data-sa") || "",
      title: text(row, ".title"),
      search: fold([text(row, ".title"), text(row, ".subtitle"), authors.join(" "), topics.join(" ")].join(" "))
    };
  });

  function fill(select, values, label) {
    var seen = {}, list = [];
    values.forEach(function (v) { if (v && !seen[v]) { seen[v] = true; list.push(v); } });
    list.sort(function (a, b) { return compare(label(a), label(b)); });
    list.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = label(v);
      select.appendChild(option);
    });
  }
  var languageNames = {};
  items.forEach(function (it) { languageNames[it.lang] = text(it.row, ".language") || it.lang; });
  fill(fields.author, [].concat.apply([], items.map(function (it) { return it.authors; })), function (v) { return v; });
  fill(fields.lang, items.map(function (it) { return it.lang; }), function (v) { return languageNames[v] || v; });
  fill(fields.topic, [].concat.apply([], items.map(function (it) { return it.topics; })), function (v) { return v; });

  function params() {
    var found = {}, query = window.location.search.replace(/^\?/, "");
    query.split("&").forEach(function (pair) {
      if (!pair) { return; }
      var at = pair.indexOf("="), key = at < 0 ? pair : pair.slice(0, at), value = at < 0 ? "" : pair.slice(at + 1);
      try { found[decodeURIComponent(key)] = decodeURIComponent(value.replace(/\+/g, " ")); } catch (e) { /* not encoded well: ignored */ }
    });
    return found;
  }

  var sorted = "title";
  function sortBy(key) {
    var order = items.slice();
    order.sort(function (a, b) {
      var c = 0;
      if (key === "author") { c = compare(a.sortAuthor, b.sortAuthor); }
      else if (key === "date" || key === "-date") {
        if (!a.date !== !b.date) { return a.date ? -1 : 1; }      /* undated texts last */
        c = a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
        if (key === "-date") { c = -c; }
      }
      return c || compare(a.title, b.title) || a.n - b.n;
    });
    var fragment = document.createDocumentFragment();
    order.forEach(function (it) { fragment.appendChild(it.row); });
    list.appendChild(fragment);
    sorted = key;
  }

  function apply() {
    var terms = fold(fields.q.value).split(/\s+/).filter(Boolean);
    var author = fields.author.value, lang = fields.lang.value, topic = fields.topic.value;
    var count = 0;
    items.forEach(function (it) {
      var match = (!author || it.authors.indexOf(author) >= 0) && (!lang || it.lang === lang) &&
        (!topic || it.topics.indexOf(topic) >= 0) &&
        terms.every(function (t) { return it.search.indexOf(t) >= 0; });
      if (it.row.hidden === match) { it.row.hidden = !match; }
      if (match) { count += 1; }
    });
    if (fields.sort.value !== sorted) { sortBy(fields.sort.value); }
    shown.textContent = count === items.length ? String(count) : count + " of " + items.length;
    none.hidden = count > 0;
  }

  function remember() {
    var parts = [];
    ["q", "author", "lang", "topic"].forEach(function (name) {
      if (fields[name].value) { parts.push(name + "=" + encodeURIComponent(fields[name].value)); }
    });
    if (fields.sort.value !== "title") { parts.push("sort=" + encodeURIComponent(fields.sort.value)); }
    var address = window.location.pathname + (parts.length ? "?" + parts.join("&") : "") + window.location.hash;
    try { window.history.replaceState(null, "", address); } catch (e) { /* some browsers refuse it for files */ }
  }

  var wanted = params();
  ["q", "author", "lang", "topic", "sort"].forEach(function (name) {
    var value = wanted[name];
    if (value === undefined) { return; }
    if (fields[name].tagName === "SELECT") {
      var known = Array.prototype.some.call(fields[name].options, function (o) { return o.value === value; });
      if (!known) { return; }
    }
    fields[name].value = value;
  });
  form.hidden = false;
  apply();

  var timer = null;
  fields.q.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { timer = null; apply(); remember(); }, items.length > 2000 ? 120 : 0);
  });
  ["author", "lang", "topic", "sort"].forEach(function (name) {
    fields[name].addEventListener("change", function () { apply(); remember(); });
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); remember(); });
}());
