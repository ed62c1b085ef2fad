// Newsroom admin: small progressive enhancements. Every page works without this file; with it the
// editor gains a live preview (rendered by the site's own renderer), autosave, word counts, paste
// from word processors as clean Markdown, tag completion and a note of who else has it open.
'use strict';
(function () {
  const root = document.documentElement;
  root.classList.add('has-script');
  const token = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  async function api(path, body, options) {
    const response = await fetch(path, Object.assign({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    }, options || {}));
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response.json();
  }

  // On a phone the menu is one scrolling row: bring the current section into view.
  const current = document.querySelector('.admin-nav [aria-current]');
  if (current && current.parentElement.parentElement.scrollWidth > root.clientWidth) {
    current.scrollIntoView({ block: 'nearest', inline: 'center' });
  }

  // Tick every row of a list at once.
  document.querySelectorAll('[data-check-all]').forEach((box) => {
    box.addEventListener('change', () => {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]')
        .forEach((b) => { b.checked = box.checked; });
    });
  });

  // Ask before destructive actions.
  document.addEventListener('click', (event) => {
    const button = event.target.closest('[data-confirm]');
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  const form = document.querySelector('[data-editor]');
  if (!form) return;
  let id = form.dataset.id;
  const body = form.querySelector('[data-body]');
  const pane = form.querySelector('[data-preview]');
  const words = form.querySelector('[data-words]');
  const minutes = form.querySelector('[data-minutes]');
  const status = form.querySelector('[data-autosave-status]');
  const format = form.querySelector('input[name=format]').value;
  const area = form.querySelector('.write-area');
  let dirty = false;
  let changedSinceAutosave = false;

  function count() {
    const n = body.value.trim() ? body.value.trim().split(/\s+/).length : 0;
    words.textContent = n;
    minutes.textContent = Math.max(1, Math.ceil(n / 220));
  }

  // Write / Preview / Side by side.
  let view = 'write';
  let renderTimer = null;
  async function renderPreview() {
    if (view === 'write') return;
    try {
      const out = await api('/admin/api/render', { body: body.value, format: format });
      pane.innerHTML = out.html; // sanitized by the server, as the published page will be
    } catch (e) {
      pane.textContent = 'The preview could not be made just now.';
    }
  }
  form.querySelectorAll('[data-view]').forEach((button) => {
    button.addEventListener('click', () => {
      view = button.dataset.view;
      form.querySelectorAll('[data-view]').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
      pane.hidden = view === 'write';
      body.hidden = view === 'preview';
      area.parentElement.classList.toggle('split', view === 'split');
      renderPreview();
    });
  });

  function changed() {
    dirty = true;
    changedSinceAutosave = true;
    count();
    clearTimeout(renderTimer);
    renderTimer = setTimeout(renderPreview, 350);
  }
  form.addEventListener('input', changed);
  form.addEventListener('submit', () => { dirty = false; });
  window.addEventListener('beforeunload', (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ''; }
  });

  // Ctrl/Cmd+S saves.
  form.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 's') {
      event.preventDefault();
      const save = form.querySelector('button[name=do][value=save], button[name=do][value=draft]');
      if (save) form.requestSubmit(save);
    }
  });

  // Autosave every 30 s while there are changes. A new article's first autosave makes it a draft,
  // and from then on this form edits that draft.
  const field = (name) => { const el = form.querySelector('[name="' + name + '"]'); return el ? el.value : ''; };
  async function autosave() {
    if (!changedSinceAutosave || (!id && !field('title').trim() && !body.value.trim())) return;
    changedSinceAutosave = false;
    try {
      const out = await api('/admin/api/autosave', {
        id: Number(id || 0), kind: field('kind'), title: field('title'), body: body.value, excerpt: field('excerpt'),
        source_name: field('source_name'), source_url: field('source_url'),
        featured_image_url: field('featured_image_url'), featured_image_alt: field('featured_image_alt'),
      });
      if (out.created) {
        id = String(out.created.id);
        form.dataset.id = id;
        form.action = out.created.edit_url;
        form.querySelector('[data-version]').value = out.created.version;
        const hidden = document.createElement('input');
        hidden.type = 'hidden';
        hidden.name = 'id';
        hidden.value = id;
        form.append(hidden);
        history.replaceState(null, '', out.created.edit_url);
        startPresence();
      }
      status.textContent = '· Autosaved ' + out.saved_at;
    } catch (e) {
      changedSinceAutosave = true;
      status.textContent = '· Autosave failed; your text is still here. Save to keep it.';
    }
  }
  setInterval(autosave, 30000);

  // Who else has it open.
  const presence = document.querySelector('[data-presence]');
  async function beat() {
    if (!id) return;
    try {
      const out = await api('/admin/api/presence', { id: Number(id) });
      presence.hidden = out.others.length === 0;
      presence.textContent = out.others.length
        ? 'Also editing this now: ' + out.others.join(', ') + '. Saving over each other is refused, but talk before you both change it.'
        : '';
    } catch (e) { /* the next beat tries again */ }
  }
  let presenceStarted = false;
  function startPresence() {
    if (!id || presenceStarted) return;
    presenceStarted = true;
    setInterval(beat, 20000);
    window.addEventListener('pagehide', () => {
      api('/admin/api/presence', { id: Number(id), leaving: true }, { keepalive: true }).catch(() => {});
    });
  }
  startPresence();

  // Paste from a word processor or a web page: clean Markdown instead of styled HTML.
  body.addEventListener('paste', async (event) => {
    const html = event.clipboardData && event.clipboardData.getData('text/html');
    if (!html || format !== 'markdown') return;
    event.preventDefault();
    const plain = event.clipboardData.getData('text/plain');
    const start = body.selectionStart;
    const end = body.selectionEnd;
    let text = plain;
    try {
      text = (await api('/admin/api/paste', { html: html })).markdown || plain;
    } catch (e) { /* plain text is better than nothing */ }
    body.setRangeText(text, start, end, 'end');
    body.dispatchEvent(new Event('input', { bubbles: true }));
  });

  // Tag completion for the last tag being typed.
  const tags = form.querySelector('[data-tags]');
  const list = document.getElementById('known-tags');
  let tagTimer = null;
  if (tags && list) {
    tags.addEventListener('input', () => {
      clearTimeout(tagTimer);
      tagTimer = setTimeout(async () => {
        const value = tags.value;
        const cut = value.lastIndexOf(',');
        const prefix = cut >= 0 ? value.slice(0, cut + 1) + ' ' : '';
        const typed = value.slice(cut + 1).trim();
        if (!typed) return;
        try {
          const response = await fetch('/admin/api/tags?q=' + encodeURIComponent(typed), { credentials: 'same-origin' });
          const names = await response.json();
          list.replaceChildren(...names.map((n) => {
            const option = document.createElement('option');
            option.value = prefix + n;
            return option;
          }));
        } catch (e) { /* completion is a convenience */ }
      }, 200);
    });
  }
  count();
})();
