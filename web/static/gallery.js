// The gallery: start a job, follow its progress, watch the session's videos.
// Everything goes through the JSON API under /api/v1; video, poster and caption URLs come from
// the API already signed when their storage type is not public.
"use strict";

const API = "/api/v1";
const $ = (id) => document.getElementById(id);
const state = { session: "default", uploadedScriptId: null, shownVideos: new Set(),
                startedJobs: new Set(), timer: null, prefectUi: null };

function headers(extra = {}) {
  const token = $("token").value.trim();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function call(method, path, body, extraHeaders) {
  const init = { method, headers: headers(extraHeaders) };
  if (body !== undefined) init.body = body;
  const reply = await fetch(API + path, init);
  const data = await reply.json().catch(() => ({}));
  if (!reply.ok) throw new Error(data.detail || `${reply.status} ${reply.statusText}`);
  return data;
}

function say(id, text, isError = false) {
  $(id).textContent = text;
  $(id).classList.toggle("error", isError);
}

function fill(select, choices, chosen) {
  select.replaceChildren(...choices.map((value) => new Option(value, value, false,
                                                              value === chosen)));
}

function humanSize(bytes) {
  if (bytes == null) return "";
  return bytes < 1048576 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1048576).toFixed(1)} MB`;
}

function humanTime(seconds) {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function element(tag, props = {}, ...children) {
  const { dataset, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  Object.assign(node.dataset, dataset || {});
  node.append(...children.filter((child) => child != null));
  return node;
}

async function loadOptions() {
  const options = await call("GET", "/options");
  fill($("resolution"), options.resolutions, options.defaults.resolution);
  fill($("captions"), options.captions, options.defaults.captions);
  fill($("motion"), options.motions, options.defaults.motion);
  fill($("quality"), options.qualities, options.defaults.quality);
  state.prefectUi = options.prefect_ui;
  if (options.prefect_ui) {
    $("prefect-link").href = options.prefect_ui;
    $("prefect-link").hidden = false;
  }
  if (!options.can_start_jobs) {
    say("start-message", "This server has no Prefect API configured: start it with `reelflow up`.",
        true);
  }
}

async function startJob(event) {
  event.preventDefault();
  const job = { session_id: state.session, resolution: $("resolution").value,
                captions: $("captions").value, motion: $("motion").value,
                quality: $("quality").value };
  if ($("title").value.trim()) job.title = $("title").value.trim();
  if (state.uploadedScriptId && !$("script").value.trim()) job.script_id = state.uploadedScriptId;
  else job.script = $("script").value;
  $("start-button").disabled = true;
  try {
    const started = await call("POST", "/jobs", JSON.stringify(job),
                               { "Content-Type": "application/json" });
    state.startedJobs.add(started.job_id);
    say("start-message", `Started job ${started.job_id}.`);
    refresh();
  } catch (error) {
    say("start-message", error.message, true);
  } finally {
    $("start-button").disabled = false;
  }
}

async function uploadScript() {
  const file = $("script-file").files[0];
  if (!file) return;
  try {
    const query = `?name=${encodeURIComponent(file.name)}&session=${encodeURIComponent(state.session)}`;
    const stored = await call("POST", `/scripts${query}`, file);
    state.uploadedScriptId = stored.script_id;
    $("script").value = "";
    say("start-message", `${file.name}: "${stored.title}", ${stored.scenes} scenes. Press Start.`);
  } catch (error) {
    state.uploadedScriptId = null;
    say("start-message", `${file.name}: ${error.message}`, true);
  }
}

async function uploadMedia() {
  const file = $("media-file").files[0];
  if (!file) return;
  try {
    const query = `?name=${encodeURIComponent(file.name)}&session=${encodeURIComponent(state.session)}`;
    const done = await call("POST", `/uploads${query}`, file);
    say("media-message", `${file.name} is a ${done.kind}; in a script: ![${file.name}](${done.file_path})`);
  } catch (error) {
    say("media-message", `${file.name}: ${error.message}`, true);
  }
}

function jobItem(job) {
  const active = !["COMPLETED", "FAILED"].includes(job.status);
  const prefect = job.prefect_url ? element("a", { href: job.prefect_url, target: "_blank",
                                                  textContent: "Prefect run" }) : null;
  return element("li", { className: `status-${job.status}`, dataset: { job: job.id } },
    element("div", { className: "job-title", textContent: job.title || job.id }),
    active ? element("progress", { max: 100, value: job.progress_percentage }) : null,
    element("div", { className: "job-meta" },
      element("span", { className: "status", textContent: job.status }),
      element("span", { className: "percent", textContent: `${job.progress_percentage}%` }),
      prefect),
    job.error_message ? element("div", { className: "job-error",
                                         textContent: job.error_message }) : null);
}

function videoCard(video) {
  const player = element("video", { controls: true, preload: "metadata" });
  if (video.poster_url) player.poster = video.poster_url;
  player.append(element("source", { src: video.url, type: `video/${video.format}` }));
  if (video.captions_url) {
    player.append(element("track", { kind: "captions", src: video.captions_url, srclang: video.language,
                                     label: "Captions", default: true }));
  }
  const remove = element("button", { className: "delete", type: "button", textContent: "Delete" });
  remove.addEventListener("click", () => deleteVideo(video));
  const links = element("div", { className: "links" },
    element("a", { href: video.download_url, textContent: "Download" }),
    state.prefectUi && video.job_id
      ? element("a", { href: `${state.prefectUi}/runs/flow-run/${video.job_id}`,
                       target: "_blank", textContent: "Prefect run" }) : null,
    remove);
  return element("article", { className: "video", dataset: { videoId: video.id,
                                                            jobId: video.job_id } },
    player,
    element("div", { className: "info" },
      element("h3", { textContent: video.title }),
      element("div", { className: "facts" },
        element("span", { textContent: humanTime(video.duration) }),
        element("span", { textContent: video.resolution }),
        element("span", { textContent: humanSize(video.file_size) }),
        element("span", { textContent: (video.completed_at || "").slice(0, 16).replace("T", " ") })),
      links));
}

async function deleteVideo(video) {
  if (!confirm(`Delete "${video.title}" with its job and files?`)) return;
  try {
    await call("DELETE", `/videos/${video.id}`);
    document.querySelector(`article[data-video-id="${video.id}"]`)?.remove();
    state.shownVideos.delete(video.id);
  } catch (error) {
    alert(error.message);
  }
}

async function refreshVideos() {
  const { videos } = await call("GET", `/videos?session=${encodeURIComponent(state.session)}`);
  const grid = $("video-grid");
  // Only new cards are added: re-rendering would stop a video someone is watching.
  for (const video of [...videos].reverse()) {
    if (state.shownVideos.has(video.id)) continue;
    state.shownVideos.add(video.id);
    grid.querySelector(".empty")?.remove();
    grid.prepend(videoCard(video));
  }
}

async function refresh() {
  clearTimeout(state.timer);
  let busy = false;
  try {
    const { jobs } = await call("GET", `/jobs?session=${encodeURIComponent(state.session)}`);
    const listed = new Set(jobs.map((job) => job.id));
    const waiting = [];
    for (const id of state.startedJobs) {
      if (listed.has(id)) { state.startedJobs.delete(id); continue; }
      waiting.push(await call("GET", `/jobs/${id}`));  // scheduled, not yet picked up
    }
    const all = [...waiting, ...jobs];
    $("job-list").replaceChildren(...(all.length ? all.map(jobItem)
      : [element("li", { className: "empty", textContent: "No jobs yet." })]));
    busy = all.some((job) => !["COMPLETED", "FAILED"].includes(job.status));
    const done = jobs.filter((job) => job.status === "COMPLETED").length;
    if (done !== state.completedCount) {
      state.completedCount = done;
      await refreshVideos();
    }
  } catch (error) {
    say("start-message", error.message, true);
  }
  state.timer = setTimeout(refresh, busy ? 1000 : 5000);
}

function changeSession() {
  state.session = $("session").value.trim() || "default";
  localStorage.setItem("reelflow.session", state.session);
  const url = new URL(location.href);
  url.searchParams.set("session", state.session);
  history.replaceState(null, "", url);
  state.shownVideos.clear();
  state.completedCount = undefined;
  $("video-grid").replaceChildren(element("p", { className: "empty", textContent: "No videos yet." }));
  refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  const asked = new URL(location.href).searchParams.get("session");
  $("session").value = asked || localStorage.getItem("reelflow.session") || "default";
  $("token").value = localStorage.getItem("reelflow.token") || "";
  $("token").addEventListener("change", () => {
    localStorage.setItem("reelflow.token", $("token").value.trim());
    refresh();
  });
  $("session").addEventListener("change", changeSession);
  $("script").addEventListener("input", () => { state.uploadedScriptId = null; });
  $("script-file").addEventListener("change", uploadScript);
  $("media-file").addEventListener("change", uploadMedia);
  $("start-form").addEventListener("submit", startJob);
  loadOptions().catch((error) => say("start-message", error.message, true));
  changeSession();
});
