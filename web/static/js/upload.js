/* Upload page: send the files with a progress bar, then follow the background load file by file. */
"use strict";
(function () {
  const { T, toast, el, api } = window.pochuan;
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

  /** Redraw the case's import batches under the form (the new ones included). */
  async function refreshBatches() {
    const caseNo = decodeURIComponent(form.action.split("/api/cases/")[1].split("/")[0]);
    let res;
    try { res = await api("/api/cases/" + encodeURIComponent(caseNo) + "/batches"); } catch (e) { return; }
    const head = el("tr", {}, [T("file"), T("kind"), T("started"), T("read"), T("loaded"), T("rejected"), ""].map((h) => el("th", {}, h)));
    const rows = (res.batches || []).map((b) => el("tr", {}, el("td", {}, b.file || ""), el("td", {}, b.kind || ""),
      el("td", {}, b.started || ""), el("td", { class: "num" }, b.read ?? ""), el("td", { class: "num" }, b.loaded ?? ""),
      el("td", { class: "num" }, b.rejected ?? ""), el("td", {}, b.has_rejects ? el("a", { href: "/api/cases/" +
        encodeURIComponent(caseNo) + "/batches/" + encodeURIComponent(b.batch) + "/rejects" }, T("download_rejects")) : "")));
    document.getElementById("batches-box").replaceChildren(el("table", { class: "grid", id: "batches" },
      el("thead", {}, head), el("tbody", {}, rows)));
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
    const fail = (msg) => {
      document.getElementById("upload-button").disabled = false;
      text.textContent = T("error"); toast(T("error") + ": " + msg, "error");
      out.replaceChildren(el("p", { class: "error" }, msg));
    };
    /** Poll the job until it is done, showing each finished file and the rows of the current one. */
    async function follow(url, total) {
      let state;
      try { state = await api(url); } catch (e) { fail(e.message); return; }
      out.replaceChildren(summary(state.done || [], caseNo));
      if (state.state === "running") {
        text.textContent = T("loading_file") + " " + (state.done.length + 1) + "/" + total +
          (state.current ? " " + state.current : "") + (state.rows ? " · " + state.rows.toLocaleString() + " " + T("read") : "");
        setTimeout(() => follow(url, total), 700);
        return;
      }
      document.getElementById("upload-button").disabled = false;
      if (state.state === "failed") { fail(state.error || "failed"); out.prepend(summary(state.done || [], caseNo)); return; }
      bar.value = 100; text.textContent = T("done");
      await refreshBatches();
      document.body.dataset.uploaded = state.job;
    }
    xhr.addEventListener("loadend", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 202 && body && body.ok) {
        follow(body.status, data.getAll("files").length);
      } else {
        fail(body && body.error ? body.error.message : xhr.status + " " + xhr.statusText);
      }
    });
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", document.querySelector('meta[name="csrf-token"]').content);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.send(data);
  });
})();
