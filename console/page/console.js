// The staff console's page: polls the JSON API every 1.5 s and sends
// decisions and settings. Plain JavaScript, nothing loaded from elsewhere.
"use strict";

const T = {
  ja: {
    title: "受付 管理コンソール", status: "状態", state: "画面", reader: "カードリーダー",
    face_camera: "顔カメラ", card_camera: "券面カメラ", results: "連携フォルダ",
    eligibility: "資格確認サービス", software: "ソフトウェア", models: "モデル", serial: "設定の版",
    last_errors: "最近のエラー", counts: "本日の集計", sessions: "受付数", completed: "完了",
    face_rate: "顔認証の成功率", pin: "暗証番号", visual_approved: "目視確認（承認）",
    visual_refused: "目視確認（不承認）", refusals: "完了しなかった理由", checks: "目視確認の依頼",
    no_checks: "待っている確認はありません。", approve: "承認", refuse: "不承認",
    session: "受付", settings: "設定", default_language: "既定の言語",
    face_attempts: "顔認証の試行回数", face_attempt_time: "1回の試行時間",
    wording: "文言の変更 (JSON)", save: "保存", bundle: "署名付き設定ファイル", apply: "適用",
    logs: "ログ", refresh: "更新", ok: "正常", fault: "異常", unknown: "不明",
    saved: "保存しました。次の受付から有効です。", refused: "受け付けられません",
    approved_msg: "承認しました。", refused_msg: "不承認にしました。", stale: "この確認はもう待っていません。",
    offline: "接続できません", none: "なし",
    help: "呼び出し", no_help: "呼び出しはありません。", answer: "対応します",
    answered_msg: "対応中にしました。キオスクへ向かってください。", help_stale: "この呼び出しはもう待っていません。",
    revisit: "再来受付", unlink: "診察券の連携解除",
    unlink_note: "ご本人であることを確認してから解除してください。解除すると元に戻せません。",
    by_patient_number: "診察券番号で", by_insured: "被保険者番号で", patient_number: "診察券番号",
    insurer: "保険者番号", symbol: "記号", number: "番号", branch: "枝番", unlink_button: "解除",
    unlink_confirm: "この患者さんの連携を解除しますか？元に戻せません。", unlinked: "解除しました。",
    not_found: "該当する連携はありません。", not_configured: "この端末では再来受付が設定されていません。",
    dead_letters: "送れなかった受診記録", dead_count: "件数", retry: "再送", discard: "破棄",
    retried: "再送の待ち行列に戻しました。", discarded: "破棄しました。",
    discard_confirm: "この受診記録を破棄しますか？",
  },
  en: {
    title: "uketsuke console", status: "Status", state: "Screen", reader: "Card reader",
    face_camera: "Face camera", card_camera: "Card camera", results: "Results folder",
    eligibility: "Eligibility service", software: "Software", models: "Models", serial: "Configuration serial",
    last_errors: "Last errors", counts: "Today", sessions: "Sessions", completed: "Completed",
    face_rate: "Face success rate", pin: "PIN", visual_approved: "Visual checks approved",
    visual_refused: "Visual checks refused", refusals: "Not completed, by reason", checks: "Visual checks waiting",
    no_checks: "No check is waiting.", approve: "Approve", refuse: "Refuse",
    session: "Session", settings: "Settings", default_language: "Default language",
    face_attempts: "Face attempts", face_attempt_time: "Time per face attempt",
    wording: "Wording overrides (JSON)", save: "Save", bundle: "Signed bundle", apply: "Apply",
    logs: "Logs", refresh: "Refresh", ok: "OK", fault: "Fault", unknown: "Unknown",
    saved: "Saved. It applies from the next session.", refused: "Refused",
    approved_msg: "Approved.", refused_msg: "Refused.", stale: "That check is no longer waiting.",
    offline: "Cannot reach the kiosk", none: "none",
    help: "Help calls", no_help: "Nobody is calling.", answer: "On my way",
    answered_msg: "Answered. Please go to the kiosk.", help_stale: "That call is no longer waiting.",
    revisit: "Re-visit reception", unlink: "Unlink a patient's card",
    unlink_note: "Check that the person is the patient first. Unlinking cannot be undone.",
    by_patient_number: "By patient number", by_insured: "By insured number", patient_number: "Patient number",
    insurer: "Insurer number", symbol: "Symbol", number: "Number", branch: "Branch", unlink_button: "Unlink",
    unlink_confirm: "Unlink this patient? This cannot be undone.", unlinked: "Unlinked.",
    not_found: "No link has that number.", not_configured: "Re-visit reception is not set up on this kiosk.",
    dead_letters: "Visit records that could not be sent", dead_count: "Count", retry: "Retry", discard: "Discard",
    retried: "Put back in the queue.", discarded: "Discarded.",
    discard_confirm: "Discard this visit record?",
  },
};

// The kiosk's screens (app/session's state names) in words staff read.
const STATES = {
  ja: {
    idle: "待機中", reading: "カード読み取り中", rejected: "使えないカード", method: "認証方法の選択",
    face: "顔認証中", face_failed: "顔認証できず", pin: "暗証番号の入力", pin_verifying: "暗証番号の確認中",
    staff_check: "目視確認待ち", checking: "資格確認中", register: "初回登録の確認", registering: "初回登録中",
    consent: "同意の選択", prescription: "処方箋の選択", submitting: "送信中", done: "受付完了", error: "エラー",
    visit_kind: "初診・再診の選択", recognising: "診察券の確認中", department: "診療科の選択", ticketing: "受付番号の発行中",
    ticket: "受付番号の表示", link_offer: "診察券登録の確認", linking: "診察券の登録中", referred: "窓口へ案内",
    unlink_confirm: "登録解除の確認", unlinking: "登録解除中", unlinked: "登録解除済み",
  },
  en: {
    idle: "Waiting", reading: "Reading the card", rejected: "Card not usable", method: "Choosing a method",
    face: "Face check", face_failed: "Face check failed", pin: "Entering the PIN", pin_verifying: "Checking the PIN",
    staff_check: "Waiting for a visual check", checking: "Checking eligibility", register: "Asked to register",
    registering: "Registering", consent: "Choosing consent", prescription: "Choosing the prescription",
    submitting: "Sending", done: "Reception complete", error: "Error",
    visit_kind: "Choosing first or return visit", recognising: "Looking the card up", department: "Choosing a department",
    ticketing: "Issuing the number", ticket: "Showing the number", link_offer: "Asked to use the card as patient card",
    linking: "Linking the card", referred: "Sent to a counter", unlink_confirm: "Asked to unlink",
    unlinking: "Unlinking", unlinked: "Unlinked",
  },
};

// stateWords names a screen in the page's language; an unknown one shows its code.
const stateWords = (code) => (STATES[lang] && STATES[lang][code]) || code;

let lang = localStorage.getItem("uketsuke-console-lang") || "ja";
let role = "";
const $ = (id) => document.getElementById(id);
const t = (k) => (T[lang] && T[lang][k]) || T.en[k] || k;

function translate() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
}

async function api(path, options) {
  const o = options || {};
  o.headers = Object.assign({ "X-Uketsuke-Console": "1" }, o.headers || {});
  const r = await fetch(path, o);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const err = new Error((body && body.message) || r.statusText);
    err.body = body || {};
    err.status = r.status;
    throw err;
  }
  return body;
}

function post(path, body, type) {
  return api(path, { method: "POST", headers: { "Content-Type": type || "application/json" },
    body: type ? body : JSON.stringify(body) });
}

function part(id, p) {
  const el = $(id);
  el.textContent = t(p.state) + (p.fault ? " (" + p.fault + ")" : "");
  el.className = p.state;
}

function list(id, items, render) {
  const ul = $(id);
  ul.replaceChildren();
  if (items.length === 0) {
    const li = document.createElement("li");
    li.textContent = t("none");
    ul.append(li);
  }
  items.forEach((it) => ul.append(render(it)));
}

function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

async function pollStatus() {
  const s = await api("/api/status");
  $("status-state").textContent = stateWords(s.state);
  $("status-state").dataset.state = s.state; // the code, for integrations and tests
  part("status-reader", s.reader);
  part("status-face-camera", s.face_camera);
  part("status-card-camera", s.card_camera);
  part("status-results", s.results);
  part("status-eligibility", s.eligibility);
  $("status-software").textContent = s.software;
  $("status-models").textContent = Object.entries(s.models).map(([k, v]) => k + ": " + v).join(", ");
  $("status-serial").textContent = String(s.config_serial);
  list("status-errors", s.last_errors, (e) => item(new Date(e.time).toLocaleTimeString(lang) + " " + e.code + (e.state ? " @" + stateWords(e.state) : "")));
}

async function pollCounts() {
  const c = await api("/api/counts");
  $("counts-sessions").textContent = String(c.sessions);
  $("counts-completed").textContent = String(c.completed);
  $("counts-face-rate").textContent = c.face.tried ? Math.round(c.face.success_rate * 100) + "% (" + c.face.succeeded + "/" + c.face.tried + ")" : "-";
  $("counts-pin").textContent = String(c.pin);
  $("counts-visual-approved").textContent = String(c.visual_checks.approved);
  $("counts-visual-refused").textContent = String(c.visual_checks.refused);
  list("counts-refusals", c.refusals, (r) => item(r.code + ": " + r.count));
}

async function pollChecks() {
  const c = await api("/api/checks");
  $("checks-none").hidden = c.checks.length > 0;
  const ul = $("checks-list");
  const want = c.checks.map((k) => String(k.session)).join(",");
  if (ul.dataset.sessions === want) return; // keep the buttons under the finger
  ul.dataset.sessions = want;
  ul.replaceChildren();
  c.checks.forEach((k) => {
    const li = document.createElement("li");
    li.id = "check-" + k.session;
    const label = document.createElement("span");
    label.textContent = t("session") + " " + k.session + " (" + new Date(k.since).toLocaleTimeString(lang) + ")";
    li.append(label, decisionButton("approve", k.session), decisionButton("refuse", k.session));
    ul.append(li);
  });
}

// pollHelp lists the patient's help call (the kiosk's help button) with
// the screen the patient is on, and a button that answers it.
async function pollHelp() {
  const c = await api("/api/help");
  $("help-none").hidden = c.calls.length > 0;
  $("section-help").classList.toggle("calling", c.calls.length > 0);
  const ul = $("help-list");
  const want = c.calls.map((k) => k.session + ":" + k.state).join(",");
  if (ul.dataset.sessions === want) return; // keep the button under the finger
  ul.dataset.sessions = want;
  ul.replaceChildren();
  c.calls.forEach((k) => {
    const li = document.createElement("li");
    li.id = "help-" + k.session;
    li.dataset.state = k.state;
    const label = document.createElement("span");
    label.textContent = t("session") + " " + k.session + " · " + stateWords(k.state) +
      " (" + new Date(k.since).toLocaleTimeString(lang) + ")";
    const b = document.createElement("button");
    b.type = "button";
    b.id = "answer-" + k.session;
    b.className = "answer";
    b.textContent = t("answer");
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await post("/api/help/answer", { session: k.session });
        $("help-result").textContent = t("answered_msg");
        $("help-result").className = "";
      } catch (e) {
        $("help-result").textContent = e.status === 409 ? t("help_stale") : t("refused") + ": " + e.message;
        $("help-result").className = "error";
      }
      pollHelp().catch(() => {});
    });
    li.append(label, b);
    ul.append(li);
  });
}

function decisionButton(kind, session) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = kind + "-" + session;
  b.className = kind;
  b.textContent = t(kind);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try {
      await post("/api/checks/" + kind, { session: session });
      $("checks-result").textContent = t(kind === "approve" ? "approved_msg" : "refused_msg");
      $("checks-result").className = "";
    } catch (e) {
      $("checks-result").textContent = e.status === 409 ? t("stale") : t("refused") + ": " + e.message;
      $("checks-result").className = "error";
    }
    pollChecks().catch(() => {});
  });
  return b;
}

function showSettings(s) {
  const sel = $("settings-language");
  if (sel.options.length === 0) {
    s.languages.forEach((l) => { const o = document.createElement("option"); o.value = l; o.textContent = l; sel.append(o); });
  }
  sel.value = s.default_language;
  $("settings-face-attempts").value = String(s.face_attempts);
  $("settings-face-attempt-time").value = s.face_attempt_time;
  $("settings-wording").value = JSON.stringify(s.wording, null, 2);
}

async function saveSettings(ev) {
  ev.preventDefault();
  const out = $("settings-result");
  let wording;
  try {
    wording = JSON.parse($("settings-wording").value || "{}");
  } catch (e) {
    out.textContent = t("refused") + ": facility.wording: " + e.message;
    out.className = "error";
    return;
  }
  const change = {
    default_language: $("settings-language").value,
    face_attempts: Number($("settings-face-attempts").value),
    face_attempt_time: $("settings-face-attempt-time").value,
    wording: wording,
  };
  try {
    showSettings(await post("/api/settings", change));
    $("bundle-result").textContent = "";
    out.textContent = t("saved");
    out.className = "";
  } catch (e) {
    out.textContent = t("refused") + ": " + e.message; // the message names the field
    out.className = "error";
    out.dataset.field = e.body.field || "";
  }
}

async function applyBundle() {
  const out = $("bundle-result");
  const f = $("bundle-file").files[0];
  if (!f) return;
  try {
    const s = await post("/api/bundle", await f.arrayBuffer(), "application/octet-stream");
    showSettings(s);
    $("settings-result").textContent = ""; // the bundle replaced what was saved here
    out.textContent = t("saved") + " (" + t("serial") + " " + s.serial + ")";
    out.className = "";
  } catch (e) {
    out.textContent = t("refused") + ": " + (e.body.error || "") + " " + e.message;
    out.className = "error";
  }
}

async function refreshLogs() {
  const l = await api("/api/logs");
  list("logs-list", l.files, (f) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.id = "log-" + f.name.replace(/\./g, "-");
    a.href = "/api/logs/" + encodeURIComponent(f.name);
    a.download = f.name;
    a.textContent = f.name + " (" + f.size + " B)";
    li.append(a);
    return li;
  });
}

// Unlinking: by one number; the inputs are cleared whatever the answer, so
// a number does not stay on the screen.
async function unlinkPatient(ev) {
  ev.preventDefault();
  const out = $("unlink-result");
  const byInsured = $("unlink-by-insured").checked;
  const body = byInsured
    ? { insured: { insurer: $("unlink-insurer").value, symbol: $("unlink-symbol").value,
        number: $("unlink-number").value, branch: $("unlink-branch").value } }
    : { patient_number: $("unlink-patient-number").value };
  if (!window.confirm(t("unlink_confirm"))) return;
  try {
    await post("/api/revisit/unlink", body);
    out.textContent = t("unlinked");
    out.className = "";
  } catch (e) {
    out.textContent = e.status === 404 ? t("not_found") : e.status === 503 ? t("not_configured") : t("refused") + ": " + e.message;
    out.className = "error";
    out.dataset.field = e.body.field || "";
  }
  $("unlink-form").reset();
  chooseUnlinkBy();
}

function chooseUnlinkBy() {
  const byInsured = $("unlink-by-insured").checked;
  $("unlink-insured").disabled = !byInsured;
  $("unlink-patient-number").disabled = byInsured;
}

async function refreshDeadLetters() {
  let d;
  try {
    d = await api("/api/revisit/dead-letters");
  } catch (e) {
    $("dead-count").textContent = e.status === 503 ? t("not_configured") : t("refused");
    return;
  }
  $("dead-count").textContent = String(d.count);
  list("dead-list", d.dead_letters, (x) => {
    const li = document.createElement("li");
    li.id = "dead-" + x.id;
    const label = document.createElement("span");
    label.textContent = new Date(x.queued).toLocaleString(lang) + " " + x.id + " " + (x.status ? "HTTP " + x.status + " " : "") + x.reason;
    li.append(label, deadButton("retry", x.id), deadButton("discard", x.id));
    return li;
  });
}

function deadButton(kind, id) {
  const b = document.createElement("button");
  b.type = "button";
  b.id = kind + "-" + id;
  b.textContent = t(kind);
  b.addEventListener("click", async () => {
    if (kind === "discard" && !window.confirm(t("discard_confirm"))) return;
    b.disabled = true;
    const out = $("dead-result");
    try {
      await post("/api/revisit/dead-letters/" + kind, { id: id });
      out.textContent = t(kind === "retry" ? "retried" : "discarded");
      out.className = "";
    } catch (e) {
      out.textContent = t("refused") + ": " + e.message;
      out.className = "error";
    }
    refreshDeadLetters().catch(() => {});
  });
  return b;
}

async function poll() {
  try {
    await Promise.all([pollStatus(), pollCounts(), pollChecks(), pollHelp()]);
    $("connection").textContent = "";
    $("connection").className = "";
  } catch (e) {
    $("connection").textContent = t("offline");
    $("connection").className = "down";
  }
}

async function start() {
  translate();
  const choose = (l) => () => {
    lang = l;
    localStorage.setItem("uketsuke-console-lang", lang);
    translate();
    $("checks-list").dataset.sessions = ""; // redraw the buttons' labels
    $("help-list").dataset.sessions = "";
    poll();
  };
  $("lang-ja").addEventListener("click", choose("ja"));
  $("lang-en").addEventListener("click", choose("en"));
  try {
    const me = await api("/api/whoami");
    role = me.role;
    $("operator-id").textContent = me.operator + " (" + me.role + ")";
  } catch (e) {
    $("connection").textContent = t("offline");
  }
  if (role === "administrator") {
    document.querySelectorAll(".admin").forEach((el) => { el.hidden = false; });
    $("settings-form").addEventListener("submit", saveSettings);
    $("bundle-apply").addEventListener("click", applyBundle);
    $("logs-refresh").addEventListener("click", () => refreshLogs().catch(() => {}));
    api("/api/settings").then(showSettings).catch(() => {});
    refreshLogs().catch(() => {});
    $("unlink-form").addEventListener("submit", unlinkPatient);
    $("unlink-by-number").addEventListener("change", chooseUnlinkBy);
    $("unlink-by-insured").addEventListener("change", chooseUnlinkBy);
    $("dead-refresh").addEventListener("click", () => refreshDeadLetters().catch(() => {}));
    refreshDeadLetters().catch(() => {});
  }
  poll();
  setInterval(poll, 1500);
}

document.addEventListener("DOMContentLoaded", start);
