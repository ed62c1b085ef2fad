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

  document.querySelectorAll('[data-script-only]').forEach((el) => { el.hidden = false; });

  // Upload pictures to the library with progress; `done(item)` gets each stored picture.
  function uploadFiles(files, list, extra, done) {
    return Promise.all(Array.from(files).map((file) => new Promise((resolve) => {
      const row = document.createElement('li');
      const bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      row.append(file.name + ' ', bar);
      if (list) list.append(row);
      const data = new FormData();
      data.append('files', file, file.name);
      Object.entries(extra || {}).forEach(([k, v]) => { if (v) data.append(k, v); });
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/admin/api/media');
      xhr.setRequestHeader('X-CSRF-Token', token);
      xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100); });
      xhr.addEventListener('load', () => {
        let out = null;
        try { out = JSON.parse(xhr.responseText); } catch (e) { /* shown below */ }
        if (out && out.items && out.items.length) {
          row.textContent = file.name + ': added.';
          out.items.forEach((item) => done && done(item));
        } else {
          const why = out && out.refused && out.refused.length ? out.refused[0].message : (out && out.message) || 'the upload failed.';
          row.textContent = file.name + ': ' + why;
          row.classList.add('field-error');
        }
        resolve();
      });
      xhr.addEventListener('error', () => { row.textContent = file.name + ': the upload failed.'; resolve(); });
      xhr.send(data);
    })));
  }

  function dropTarget(zone, onFiles) {
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      if (e.dataTransfer && e.dataTransfer.files.length) onFiles(e.dataTransfer.files);
    });
  }

  // The library's upload form: drag and drop, paste, progress, then the grid again.
  const uploadForm = document.querySelector('[data-upload-form]');
  if (uploadForm) {
    const list = uploadForm.querySelector('[data-progress]');
    const extra = () => ({ alt: uploadForm.alt.value, credit: uploadForm.credit.value });
    const send = async (files) => {
      await uploadFiles(files, list, extra(), () => {});
      window.location.href = '/admin/media?done=uploaded&n=' + files.length;
    };
    uploadForm.addEventListener('submit', (e) => {
      const files = uploadForm.querySelector('input[type=file]').files;
      if (!files.length) return;
      e.preventDefault();
      send(files);
    });
    dropTarget(uploadForm.querySelector('[data-drop-zone]'), send);
    document.addEventListener('paste', (e) => {
      const files = e.clipboardData && e.clipboardData.files;
      if (files && files.length) { e.preventDefault(); send(files); }
    });
  }

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
  // The featured picture: drop one on its box to upload and choose it.
  const featuredBox = form.querySelector('[data-featured-box]');
  const featured = form.querySelector('[data-featured]');
  function chooseFeatured(item) {
    let option = featured.querySelector('option[value="' + item.id + '"]');
    if (!option) {
      option = document.createElement('option');
      option.value = item.id;
      option.textContent = item.title + ' (' + item.width + '×' + item.height + ')';
      featured.append(option);
    }
    featured.value = String(item.id);
    const current = form.querySelector('[data-featured-current]');
    const img = document.createElement('img');
    img.src = item.thumb;
    img.alt = '';
    img.width = 320;
    const note = document.createElement('p');
    note.textContent = item.title + (item.alt ? '' : ' (no description yet: add one in the library before publishing)');
    current.replaceChildren(img, note);
    changed();
  }
  if (featuredBox && featured) {
    const list = document.createElement('ul');
    list.className = 'upload-progress plain-list';
    featuredBox.append(list);
    dropTarget(featuredBox, (files) => uploadFiles([files[0]], list, {}, chooseFeatured));
  }

  // Insert a picture of the library at the cursor, from a picker (search, or upload one).
  const insertButton = form.querySelector('[data-insert-picture]');
  if (insertButton) {
    const dialog = document.createElement('dialog');
    dialog.className = 'picker';
    dialog.setAttribute('aria-labelledby', 'picker-title');
    dialog.innerHTML = '<h2 id="picker-title">Insert a picture</h2>'
      + '<div class="row"><div class="field"><label for="picker-search">Search the library</label><input id="picker-search" type="search"></div>'
      + '<fieldset><legend>Or upload one</legend><div class="field"><label for="picker-alt">What it shows, for readers who cannot see it</label><input id="picker-alt" type="text" maxlength="300"></div>'
      + '<div class="field"><label for="picker-upload">Picture file</label><input id="picker-upload" type="file" accept="image/jpeg,image/png,image/webp,image/gif"></div></fieldset></div>'
      + '<ul class="upload-progress plain-list"></ul><ul class="picker-grid"></ul>'
      + '<p><button type="button" class="button">Close</button></p>';
    document.body.append(dialog);
    const grid = dialog.querySelector('.picker-grid');
    const search = dialog.querySelector('#picker-search');
    const place = (item) => {
      const at = body.selectionStart;
      const before = body.value.slice(0, at);
      const lead = before && !before.endsWith('\n\n') ? (before.endsWith('\n') ? '\n' : '\n\n') : '';
      body.setRangeText(lead + item.markdown + '\n\n', at, body.selectionEnd, 'end');
      dialog.close();
      body.focus();
      body.dispatchEvent(new Event('input', { bubbles: true }));
    };
    const load = async () => {
      const response = await fetch('/admin/api/media?s=' + encodeURIComponent(search.value), { credentials: 'same-origin' });
      const items = response.ok ? await response.json() : [];
      grid.replaceChildren(...items.map((item) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        const img = document.createElement('img');
        img.src = item.thumb;
        img.alt = '';
        b.append(img, item.title || 'Untitled');
        b.addEventListener('click', () => place(item));
        li.append(b);
        return li;
      }));
    };
    let searchTimer = null;
    search.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(load, 250); });
    dialog.querySelector('#picker-upload').addEventListener('change', (e) => {
      uploadFiles(e.target.files, dialog.querySelector('.upload-progress'), { alt: dialog.querySelector('#picker-alt').value }, place);
    });
    dialog.querySelector('.button').addEventListener('click', () => dialog.close());
    insertButton.addEventListener('click', () => { dialog.showModal(); load(); search.focus(); });
  }
  count();
})();
