/* Upload page: send the files with a progress bar, then show the loader's summary per file. */
"use strict";
(function () {
  const { T, toast, el } = window.pochuan;
  const form = document.getElementById("upload-form");
  const bar = document.getElementById("progress-bar"), text = document.getElementById("progress-text");
  const out = document.getElementById("upload-result");

  function summary(files, caseNo) {
    const head = el("tr", {}, [T("file"), T("kind"), T("read"), T("loaded"), T("rejected"), ""].map((h) => el("th", {}, h)));
    const rows = files.map((f) => el("tr", { class: "file-summary" }, el("td", {}, f.file), el("td", {}, f.kind || ""),
      el("td", { class: "num" }, f.read ?? ""), el("td", { class: "num" }, f.loaded ?? ""), el("td", { class: "num" }, f.rejected ?? ""),
      el("td", {}, f.has_rejects && f.batch ? el("a", { href: "/api/cases/" + encodeURIComponent(caseNo) + "/batches/" +
        encodeURIComponent(f.batch) + "/rejects", class: "rejects-link" }, T("download_rejects")) : "")));
    return el("table", { class: "grid", id: "summary" }, el("thead", {}, head), el("tbody", {}, rows));
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const xhr = new XMLHttpRequest();
    const caseNo = decodeURIComponent(form.action.split("/api/cases/")[1].split("/")[0]);
    document.getElementById("progress").hidden = false;
    bar.value = 0; text.textContent = T("uploading");
    out.replaceChildren();
    document.getElementById("upload-button").disabled = true;
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 100); text.textContent = T("uploading") + " " + bar.value + "%"; }
    });
    xhr.upload.addEventListener("load", () => { bar.removeAttribute("value"); text.textContent = T("loading_file"); });
    xhr.addEventListener("loadend", () => {
      document.getElementById("upload-button").disabled = false;
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 200 && body && body.ok) {
        bar.value = 100; text.textContent = T("done");
        out.replaceChildren(summary(body.files || [], caseNo));
      } else {
        const msg = body && body.error ? body.error.message : xhr.status + " " + xhr.statusText;
        text.textContent = T("error"); toast(T("error") + ": " + msg, "error");
        out.replaceChildren(el("p", { class: "error" }, msg));
      }
    });
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", document.querySelector('meta[name="csrf-token"]').content);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(data);
  });
})();
