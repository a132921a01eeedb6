// The live dashboard page (served by `catalyst dashboard`). It renders the view the server pushes
// over server-sent events; every value is printed with textContent, never parsed as HTML.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  let view = null;
  let openStack = null;
  let logStream = null;
  const win = () => $('window').value;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  const fmt = {
    ms: (v) => (v === null || v === undefined ? '—' : v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`),
    rate: (v) => (v === null || v === undefined ? '—' : v >= 10 ? `${v.toFixed(0)}/s` : v >= 0.1 ? `${v.toFixed(2)}/s` : `${(v * 60).toFixed(1)}/min`),
    pct: (v) => (v === null || v === undefined ? '—' : `${v}%`),
    time: (iso) => (iso ? new Date(iso).toLocaleString() : '—'),
  };

  function scheduleText(sc) {
    const last = sc.lastRunAt ? `last ${new Date(sc.lastRunAt).toLocaleString()} ${sc.lastSucceeded === false ? 'failed' : sc.lastSucceeded ? 'ok' : ''}${sc.lastDurationMs !== null ? ` (${fmt.ms(sc.lastDurationMs)})` : ''}` : 'not run yet';
    const next = sc.nextRunAt ? ` · next ${new Date(sc.nextRunAt).toLocaleString()}` : '';
    const missed = sc.missedTicks ? ` · ${sc.missedTicks} missed` : '';
    return `schedule ${sc.cron || '?'}${sc.timezone ? ` (${sc.timezone})` : ''} · ${last}${next}${missed}`;
  }

  function chart(values, cls, label) {
    const pts = values.map((v, i) => [i, v]).filter(([, v]) => v !== null);
    const svgNS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('viewBox', '0 0 120 28');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    if (pts.length < 2) return svg;
    const max = Math.max(...pts.map(([, v]) => v), 1e-9);
    const n = Math.max(values.length - 1, 1);
    const d = pts.map(([i, v], k) => `${k ? 'L' : 'M'}${((i / n) * 118 + 1).toFixed(1)},${(27 - (v / max) * 25).toFixed(1)}`).join(' ');
    const path = document.createElementNS(svgNS, 'path');
    path.setAttribute('d', d);
    if (cls) path.setAttribute('class', cls);
    svg.append(path);
    return svg;
  }

  function stackCard(s) {
    const w = s.traffic[win()];
    return el(
      'button',
      { type: 'button', class: `stack ${s.status}`, 'data-stack': s.name, 'aria-label': `${s.name}: ${s.status}. ${s.reason}`, onclick: () => openDetail(s.name) },
      el('div', { class: 'title' }, el('span', { class: 'dot' }), s.env, el('span', { class: 'muted' }, s.target || ''), el('span', { class: 'status' }, s.status)),
      el('div', { class: 'reason' }, s.reason),
      el(
        'div',
        { class: 'nums' },
        el('span', null, 'latency ', el('b', null, fmt.ms(s.latencyMs))),
        el('span', null, 'traffic ', el('b', null, fmt.rate(w.rate))),
        el('span', null, 'errors ', el('b', null, fmt.pct(w.errorPercent))),
        ...s.uptime.map((u) => el('span', null, `${u.label} `, el('b', null, u.value))),
      ),
    );
  }

  function render() {
    if (!view) return;
    const main = $('projects');
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.stack : null;
    main.replaceChildren(
      ...view.projects.map((p) =>
        el(
          'section',
          { class: `project ${p.status}`, 'data-project': p.name, 'aria-label': `project ${p.name}: ${p.status}` },
          el('header', null, el('span', { class: 'dot' }), el('h2', null, p.name), el('span', { class: 'muted' }, `${p.stacks.length} environment${p.stacks.length === 1 ? '' : 's'}`)),
          el('div', { class: 'stacks' }, ...p.stacks.map(stackCard)),
        ),
      ),
    );
    if (view.projects.length === 0) main.append(el('p', { class: 'muted' }, 'No stacks.'));
    if (focused) {
      const again = main.querySelector(`[data-stack="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
    const s = view.summary;
    $('counts').replaceChildren(el('span', { class: 'down' }, `${s.down} down`), el('span', { class: 'degraded' }, `${s.degraded} degraded`), el('span', { class: 'healthy' }, `${s.healthy} healthy`));
    $('meta').textContent = `Probe round ${view.round} at ${fmt.time(view.generatedAt)} · every ${view.intervalMs / 1000} s`;
    document.title = `Catalyst: ${s.down} down, ${s.degraded} degraded, ${s.healthy} healthy`;
    if (openStack) renderDetail();
  }

  let detail = null;
  let detailRound = -1;

  function renderDetail() {
    if (!openStack) return;
    if (!detail || detail.name !== openStack || detailRound !== (view ? view.round : -1)) {
      const name = openStack;
      const round = view ? view.round : -1;
      fetch(`api/stack/${encodeURIComponent(name)}`)
        .then((r) => (r.ok ? r.json() : null))
        .then((d) => {
          if (!d || openStack !== name) return;
          detail = d;
          detailRound = round;
          drawDetail(d);
        })
        .catch(() => {});
      if (!detail || detail.name !== openStack) return;
    }
    drawDetail(detail);
  }

  function drawDetail(s) {
    $('detail-title').textContent = `${s.name} — ${s.status}`;
    const body = $('detail-body');
    const keepLogs = body.querySelector('pre.logs');
    const links = [s.url && el('a', { href: s.url, target: '_blank', rel: 'noopener' }, 'App'), s.consoleUrl && el('a', { href: s.consoleUrl, target: '_blank', rel: 'noopener' }, 'Console'), s.logsUrl && el('a', { href: s.logsUrl, target: '_blank', rel: 'noopener' }, 'Platform logs')].filter(Boolean);
    const w = win();
    const parts = [
      el('p', { class: 'reason' }, s.reason),
      el('p', null, `${s.target || 'unknown target'}${s.region ? ` · ${s.region}` : ''} · commit ${s.commit ? s.commit.slice(0, 7) : 'unknown'} · ${s.drift.text} `, ...links.flatMap((a) => [' · ', a])),
      el(
        'div',
        null,
        el('h3', null, 'Workflows'),
        el(
          'table',
          null,
          el('thead', null, el('tr', null, ...['Workflow', 'Route', 'Rate', 'Errors', 'p50', 'p95'].map((h) => el('th', null, h)), el('th', { class: 'chart-col' }, 'Traffic'), el('th', { class: 'chart-col' }, 'p95'))),
          el(
            'tbody',
            null,
            ...s.workflows.map((x) => {
              const f = x.windows[w];
              const ser = x.series[w];
              return el(
                'tr',
                { 'data-workflow': x.name },
                el('td', null, x.name, x.visibility === 'internal' ? el('span', { class: 'muted' }, ' (internal)') : null),
                el('td', null, x.route || (x.schedule ? scheduleText(x.schedule) : '—')),
                el('td', { class: 'n' }, fmt.rate(f.rate)),
                el('td', { class: 'n' }, fmt.pct(f.errorPercent)),
                el('td', { class: 'n' }, fmt.ms(f.p50Ms)),
                el('td', { class: 'n' }, fmt.ms(f.p95Ms)),
                el('td', { class: 'chart-col' }, chart(ser.rate, '', `${x.name} request rate`)),
                el('td', { class: 'chart-col' }, chart(ser.p95Ms, 'err', `${x.name} p95 latency`)),
              );
            }),
          ),
        ),
      ),
      s.dependencies.length ? el('div', null, el('h3', null, 'Calls to other projects'), el('ul', { class: 'deps' }, ...s.dependencies.map((d) => el('li', { class: d.status || '' }, d.note)))) : null,
      el(
        'div',
        null,
        el('h3', null, 'Deployments'),
        s.deploymentsNote ? el('p', { class: 'muted' }, s.deploymentsNote) : null,
        s.deployments.length
          ? el(
              'table',
              null,
              el('thead', null, el('tr', null, ...['#', 'When', 'Result', 'Commit', 'Author'].map((h) => el('th', null, h)))),
              el('tbody', null, ...s.deployments.map((d) => el('tr', null, el('td', null, d.version ?? '—'), el('td', null, fmt.time(d.when)), el('td', null, d.result), el('td', null, d.commit ? d.commit.slice(0, 7) : '—'), el('td', null, d.author || '—')))),
            )
          : null,
      ),
      el('div', null, el('h3', null, 'Logs'), el('p', { id: 'log-source', class: 'muted' }, 'connecting…'), keepLogs || el('pre', { class: 'logs', 'aria-live': 'off', tabindex: '0' })),
      s.notes.length ? el('ul', { class: 'muted' }, ...s.notes.map((n) => el('li', null, n))) : null,
    ];
    body.replaceChildren(...parts.filter(Boolean));
    if (logStream && logStream.sourceText) setLogSource(logStream.sourceText);
    if (logStream && logStream.pending.length) appendLines(body.querySelector('pre.logs'), logStream.pending.splice(0));
  }

  // The detail is drawn when its data arrives, so the log's status line may not exist yet (or any more).
  function setLogSource(text) {
    const p = $('log-source');
    if (p) p.textContent = text;
  }

  function appendLines(p, lines) {
    const atEnd = p.scrollTop + p.clientHeight >= p.scrollHeight - 4;
    for (const l of lines) p.append(document.createTextNode(`${l.time ? `${l.time} ` : ''}${l.text}\n`));
    while (p.childNodes.length > 500) p.firstChild.remove();
    if (atEnd) p.scrollTop = p.scrollHeight;
  }

  function followLogs(name) {
    if (logStream) logStream.close();
    logStream = null;
    const es = new EventSource(`logs/${encodeURIComponent(name)}`);
    const state = { close: () => es.close(), sourceText: '', pending: [] };
    logStream = state;
    const pre = () => document.querySelector('#detail-body pre.logs');
    es.addEventListener('source', (e) => {
      state.sourceText = `live from ${JSON.parse(e.data).source}`;
      setLogSource(state.sourceText);
    });
    es.addEventListener('lines', (e) => {
      const lines = JSON.parse(e.data).lines;
      const p = pre();
      if (!p) {
        // The detail is not drawn yet: keep the lines for it.
        state.pending.push(...lines);
        return;
      }
      appendLines(p, lines);
    });
    es.addEventListener('log-error', (e) => {
      state.sourceText = JSON.parse(e.data).error;
      setLogSource(state.sourceText);
    });
    es.onerror = () => {
      // Not a stream: the server answered JSON (a link or the reason there is none).
      if (es.readyState === EventSource.CLOSED) {
        fetch(`logs/${encodeURIComponent(name)}`)
          .then((r) => r.json())
          .then((src) => {
            const p = $('log-source');
            if (!p) return;
            if (src.kind === 'link') p.replaceChildren('Logs are on the platform: ', el('a', { href: src.url, target: '_blank', rel: 'noopener' }, src.source));
            else p.textContent = src.reason || src.error || 'no logs';
          })
          .catch(() => {});
      }
    };
  }

  function openDetail(name) {
    openStack = name;
    detail = null;
    const d = $('detail');
    const body = $('detail-body');
    body.replaceChildren();
    renderDetail();
    if (!d.open) d.showModal();
    followLogs(name);
    $('close').focus();
  }

  function closeDetail() {
    const name = openStack;
    openStack = null;
    if (logStream) logStream.close();
    logStream = null;
    if ($('detail').open) $('detail').close();
    const card = name && document.querySelector(`[data-stack="${CSS.escape(name)}"]`);
    if (card) card.focus();
  }

  $('close').addEventListener('click', closeDetail);
  $('detail').addEventListener('close', () => openStack && closeDetail());
  $('window').addEventListener('change', render);

  function connect() {
    const es = new EventSource('events');
    es.addEventListener('open', () => {
      $('conn').textContent = 'live';
      $('conn').className = 'conn live';
    });
    es.addEventListener('state', (e) => {
      view = JSON.parse(e.data);
      render();
    });
    es.onerror = () => {
      $('conn').textContent = 'reconnecting…';
      $('conn').className = 'conn';
    };
  }
  fetch('api/state')
    .then((r) => (r.ok ? r.json() : null))
    .then((v) => {
      if (v) {
        view = v;
        render();
      }
    })
    .catch(() => {})
    .finally(connect);
})();
