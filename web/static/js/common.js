/* Shared by every page: translated strings, the API call with the CSRF header, messages. */
"use strict";
(function () {
  const node = document.getElementById("i18n");
  const strings = node ? JSON.parse(node.textContent) : {};
  const meta = document.querySelector('meta[name="csrf-token"]');

  /** Return the translated string of a key (the key itself when missing). */
  function T(key) { return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key; }

  /** Call the JSON API; resolve with the data, reject with the API's error message. */
  async function api(url, options) {
    const opts = Object.assign({ credentials: "same-origin" }, options || {});
    opts.headers = Object.assign({ "Accept": "application/json", "X-CSRFToken": meta ? meta.content : "" },
      opts.headers || {});
    const resp = await fetch(url, opts);
    let body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    if (!resp.ok || !body || body.ok === false) {
      const err = body && body.error ? body.error : { message: resp.status + " " + resp.statusText };
      const e = new Error(err.message + (err.field ? " (" + err.field + ")" : ""));
      e.status = resp.status; e.field = err.field;
      if (resp.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); }
      throw e;
    }
    return body;
  }

  /** Show a short message at the bottom of the page. */
  function toast(text, kind) {
    let box = document.getElementById("toast");
    if (!box) { box = document.createElement("div"); box.id = "toast"; document.body.appendChild(box); }
    box.textContent = text; box.className = "show " + (kind || "");
    clearTimeout(box._t); box._t = setTimeout(() => { box.className = ""; }, kind === "error" ? 6000 : 2500);
  }

  /** Build an element with attributes and children (text or nodes); never parses HTML. */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v);
    }
    for (const c of children.flat()) { if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c)); }
    return e;
  }

  /** Format an amount in yuan with thousands separators. */
  function money(x) { return x === null || x === undefined ? "" : "¥" + Number(x).toLocaleString("zh-CN", { maximumFractionDigits: 2 }); }

  window.pochuan = Object.assign(window.pochuan || {}, { T, api, toast, el, money });
})();
