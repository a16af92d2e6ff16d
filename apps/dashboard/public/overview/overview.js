// The overview page: polls /admin/overview/api/data every few seconds and
// draws it with uPlot. Plain browser JavaScript (no build step), loaded as a
// file: the page's CSP allows no inline script. Data goes into the DOM as
// text only, never as HTML.
'use strict';
(function () {
  const BASE = '/admin/overview';
  /** How often the page asks for fresh figures. */
  const POLL_MS = 3000;
  const COLORS = ['#2563eb', '#c0392b', '#18864b', '#9a6400', '#7c3aed', '#0e7490', '#be185d'];

  let windowName = '15m';
  let inFlight = false;
  let lastData;
  /** uPlot instances by chart id, with the series labels they were built for. */
  const charts = new Map();

  const $ = (selector, root) => (root || document).querySelector(selector);
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }
  const bytes = (n) => (n === null || n === undefined ? '–' : n >= 1073741824 ? (n / 1073741824).toFixed(2) + ' GiB' : (n / 1048576).toFixed(1) + ' MiB');
  const ms = (n) => (n === null || n === undefined ? '–' : n >= 1000 ? (n / 1000).toFixed(2) + ' s' : Math.round(n) + ' ms');
  const duration = (s) => (s >= 86400 ? Math.floor(s / 86400) + 'd ' : '') + (s >= 3600 ? Math.floor((s % 86400) / 3600) + 'h ' : '') + Math.floor((s % 3600) / 60) + 'm ' + (s % 60) + 's';
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '–');

  /** Draws (or updates) one time-series chart in `target`; rebuilt when its series change. */
  function chart(id, target, times, series, options) {
    const labels = series.map((s) => s.label).join('|');
    // The chart's box decides its width (the canvas must never widen the card it sits in).
    const width = Math.max(200, Math.floor(target.getBoundingClientRect().width) || 300);
    const height = (options && options.height) || 150;
    const data = [times].concat(series.map((s) => s.values));
    const nonZero = series.some((s) => s.values.some((v) => v !== null && v !== 0));
    target.setAttribute('data-nonzero', String(nonZero));
    target.setAttribute('data-series', labels);
    let entry = charts.get(id);
    if (entry && (entry.labels !== labels || entry.target !== target)) {
      entry.plot.destroy();
      entry = undefined;
    }
    if (!entry) {
      target.replaceChildren();
      const plot = new uPlot(
        {
          width,
          height,
          cursor: { drag: { x: false, y: false } },
          legend: { live: false },
          scales: { x: { time: true } },
          axes: [{}, { size: 70, values: (u, values) => values.map((v) => (options && options.format ? options.format(v) : v)) }],
          series: [{}].concat(series.map((s, i) => ({ label: s.label, stroke: s.color || COLORS[i % COLORS.length], width: 1.5, spanGaps: true, points: { show: false }, value: (u, v) => (v === null || v === undefined ? '–' : options && options.format ? options.format(v) : v) }))),
        },
        data,
        target,
      );
      entry = { plot, labels, target, width };
      charts.set(id, entry);
    } else {
      entry.plot.setData(data);
    }
    if (entry.width !== width) {
      entry.plot.setSize({ width, height });
      entry.width = width;
    }
  }

  async function post(path) {
    const res = await fetch(BASE + path, { method: 'POST', headers: { accept: 'application/json' } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error((body.error && body.error.message) || 'HTTP ' + res.status);
    return body;
  }

  function actionButtons(type, data) {
    if (data.role !== 'admin') return null;
    const pause = el('button', { type: 'button', 'data-action': type.paused ? 'resume' : 'pause', 'data-type': type.type, text: type.paused ? 'Resume' : 'Pause' });
    pause.addEventListener('click', async () => {
      pause.disabled = true;
      try {
        await post('/api/queues/' + type.type + '/' + (type.paused ? 'resume' : 'pause'));
      } catch (err) {
        alert(err.message);
      }
      refresh();
    });
    const failed = type.counts.failed;
    const retry = el('button', { type: 'button', 'data-action': 'retry-failed', 'data-type': type.type, disabled: failed === 0, text: 'Retry failed (' + failed + ')' });
    retry.addEventListener('click', async () => {
      const n = Math.min(failed, data.retryFailedMax);
      if (!confirm('Retry ' + n + ' failed ' + type.type + ' job' + (n === 1 ? '' : 's') + (failed > n ? ' (of ' + failed + '; at most ' + data.retryFailedMax + ' per click)' : '') + '?')) return;
      retry.disabled = true;
      try {
        const outcome = await post('/api/queues/' + type.type + '/retry-failed');
        setStatus('retried ' + outcome.retried + ' ' + type.type + ' jobs');
      } catch (err) {
        alert(err.message);
      }
      refresh();
    });
    return el('div', { class: 'actions' }, [pause, retry]);
  }

  function drawTypes(data) {
    const container = $('#types');
    // Every card first, then the charts: a lone card spans the whole row until its siblings arrive.
    for (const type of data.types) {
      let card = container.querySelector('[data-type-card="' + type.type + '"]');
      if (!card) {
        card = el('article', { class: 'card', 'data-type-card': type.type }, [
          el('h3'),
          el('div', { class: 'figures' }),
          el('div', { class: 'chart-title', text: 'Throughput (jobs/s)' }),
          el('div', { class: 'chart', 'data-chart': 'throughput-' + type.type }),
          el('div', { class: 'chart-title', text: 'Queue depth' }),
          el('div', { class: 'chart', 'data-chart': 'depth-' + type.type }),
          el('div', { class: 'slot' }),
        ]);
        container.append(card);
      }
    }
    for (const type of data.types) {
      const card = container.querySelector('[data-type-card="' + type.type + '"]');
      $('h3', card).replaceChildren(...[type.type, type.paused ? el('span', { class: 'badge paused', text: 'paused' }) : null].filter(Boolean));
      const figure = (label, value) => el('span', {}, [label + ' ', el('b', { text: value })]);
      $('.figures', card).replaceChildren(
        figure('waiting', type.counts.waiting),
        figure('active', type.counts.active),
        figure('delayed', type.counts.delayed),
        figure('failed', type.counts.failed),
        figure('run p50/p95', ms(type.processing.p50) + ' / ' + ms(type.processing.p95)),
        figure('pick-up p50/p95', ms(type.pickup.p50) + ' / ' + ms(type.pickup.p95)),
      );
      chart('throughput-' + type.type, $('[data-chart="throughput-' + type.type + '"]', card), data.times, [
        { label: 'completed/s', values: type.completedPerSec, color: '#18864b' },
        { label: 'failed/s', values: type.failedPerSec, color: '#c0392b' },
      ]);
      chart('depth-' + type.type, $('[data-chart="depth-' + type.type + '"]', card), data.times, [
        { label: 'waiting', values: type.depth.waiting, color: '#2563eb' },
        { label: 'active', values: type.depth.active, color: '#18864b' },
        { label: 'delayed', values: type.depth.delayed, color: '#9a6400' },
        { label: 'failed', values: type.depth.failed, color: '#c0392b' },
      ]);
      $('.slot', card).replaceChildren(actionButtons(type, data) || '');
    }
  }

  function drawAdmission(data) {
    const reasons = Object.keys(data.refusals).sort();
    const series = reasons.length > 0 ? reasons.map((reason) => ({ label: reason, values: data.refusals[reason] })) : [{ label: 'no refusals', values: data.times.map(() => 0) }];
    chart('admission', $('#admission'), data.times, series, { height: 180 });
  }

  function drawMemory(data) {
    const container = $('#memory');
    if (data.memory.length === 0) {
      container.replaceChildren(el('p', { class: 'empty', text: 'No samples yet (an API process writes them).' }));
      charts.delete('memory');
      return;
    }
    for (const node of data.memory) {
      let target = container.querySelector('[data-node="' + node.node + '"]');
      if (!target) {
        container.querySelector('.empty')?.remove();
        target = el('div', { class: 'chart', 'data-node': node.node, 'data-chart': 'memory-' + node.node });
        container.append(el('div', { class: 'chart-title', text: node.node }), target);
      }
      const limited = node.max.some((v) => v !== null && v > 0);
      chart('memory-' + node.node, target, data.times, [{ label: 'used', values: node.used, color: '#2563eb' }].concat(limited ? [{ label: 'maxmemory', values: node.max, color: '#c0392b' }] : []), {
        height: 160,
        format: bytes,
      });
    }
  }

  function drawWorkers(data) {
    const rows = data.workers.map((w) =>
      el('tr', { 'data-worker-id': w.id, 'data-state': w.alive ? 'live' : 'gone', class: w.alive ? '' : 'gone' }, [
        el('td', {}, [el('span', { class: 'badge ' + (w.alive ? 'live' : 'gone'), text: w.alive ? 'LIVE' : 'GONE' })]),
        el('td', { text: w.host }),
        el('td', { text: w.pid }),
        el('td', { text: w.queues.map((q) => q.type + ' ' + q.active + '/' + q.concurrency).join(', ') }),
        el('td', { text: ms(w.eventLoopDelayP99Ms) }),
        el('td', { text: bytes(w.rssBytes) }),
        el('td', { text: duration(w.uptimeSeconds) }),
        el('td', { text: clock(w.beatAt) }),
      ]),
    );
    $('#workers tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, [el('td', { colspan: 8, class: 'empty', text: 'No worker has beaten in the last hour.' })])]));
  }

  function tenantButton(type, tenant, data) {
    if (data.role !== 'admin') return null;
    const action = tenant.paused ? 'resume' : 'pause';
    const button = el('button', { type: 'button', 'data-action': 'tenant-' + action, text: tenant.paused ? 'Resume' : 'Pause' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await post('/api/queues/' + type + '/tenants/' + encodeURIComponent(tenant.tenant) + '/' + action);
      } catch (err) {
        alert(err.message);
      }
      refresh();
    });
    return button;
  }

  function drawTenants(data) {
    const rows = data.types.flatMap((type) =>
      type.tenants.map((t) =>
        el('tr', { 'data-type': type.type, 'data-tenant': t.tenant }, [
          el('td', { text: type.type }),
          el('td', { text: t.tenant }),
          el('td', { text: t.backlog }),
          el('td', { text: t.running }),
          el('td', { text: t.weight }),
          el('td', { text: t.waitToStart ? ms(t.waitToStart.p50Ms) : '–' }),
          el('td', { text: t.waitToStart ? ms(t.waitToStart.p95Ms) : '–' }),
          el('td', {}, [el('span', { class: 'badge ' + (t.paused ? 'paused' : 'live'), text: t.paused ? 'PAUSED' : 'SERVED' })]),
          el('td', {}, [tenantButton(type.type, t, data)]),
        ]),
      ),
    );
    $('#tenants tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, [el('td', { colspan: 9, class: 'empty', text: 'No tenant has jobs waiting or running.' })])]));
  }

  function drawProxies(data) {
    const rows = data.proxies.map((p) =>
      el('tr', { 'data-proxy': p.proxy }, [
        el('td', { text: p.url }),
        el('td', {}, [el('span', { class: 'badge ' + p.state, text: p.state })]),
        el('td', { text: p.successes }),
        el('td', { text: p.failures }),
        el('td', { text: p.coolingUntil ? clock(p.coolingUntil) : '–' }),
        el('td', { text: p.lastError || '–' }),
      ]),
    );
    $('#proxies tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, [el('td', { colspan: 6, class: 'empty', text: 'No proxies configured or used.' })])]));
  }

  function setStatus(text) {
    $('#status').textContent = text;
  }

  function draw(data) {
    lastData = data;
    $('#role').textContent = '(' + data.role + ')';
    document.body.setAttribute('data-role', data.role);
    drawTypes(data);
    drawAdmission(data);
    drawMemory(data);
    drawTenants(data);
    drawWorkers(data);
    drawProxies(data);
    $('#sources').textContent = 'Figures from ' + data.sources.length + ' process' + (data.sources.length === 1 ? '' : 'es') + ': ' + data.sources.map((s) => s.source).join(', ');
    const select = $('#search select[name="type"]');
    if (select.options.length === 0) for (const type of data.types) select.append(el('option', { text: type.type }));
  }

  async function refresh() {
    if (inFlight) return;
    inFlight = true;
    try {
      const res = await fetch(BASE + '/api/data?window=' + windowName, { headers: { accept: 'application/json' } });
      if (res.status === 401) {
        location.href = '/login?next=' + encodeURIComponent(BASE);
        return;
      }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      draw(await res.json());
      setStatus('updated ' + new Date().toLocaleTimeString() + ' · every ' + POLL_MS / 1000 + ' s');
      document.body.setAttribute('data-loaded', 'true');
    } catch (err) {
      setStatus('not updated: ' + err.message);
    } finally {
      inFlight = false;
    }
  }

  for (const button of document.querySelectorAll('[data-window]')) {
    button.addEventListener('click', () => {
      windowName = button.getAttribute('data-window');
      for (const other of document.querySelectorAll('[data-window]')) other.setAttribute('aria-pressed', String(other === button));
      refresh();
    });
  }

  let searchCursor = null;
  async function search(more) {
    const form = $('#search');
    const params = new URLSearchParams({ type: form.type.value, q: form.q.value });
    if (form.state.value) params.set('state', form.state.value);
    if (more && searchCursor) params.set('cursor', searchCursor);
    const status = $('#search-status');
    status.textContent = 'searching…';
    const res = await fetch(BASE + '/api/search?' + params.toString(), { headers: { accept: 'application/json' } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      status.textContent = (body.error && body.error.message) || 'HTTP ' + res.status;
      status.setAttribute('data-error', (body.error && body.error.code) || 'error');
      return;
    }
    status.removeAttribute('data-error');
    searchCursor = body.nextCursor;
    const rows = body.jobs.map((job) =>
      el('tr', { 'data-job-id': job.id }, [
        el('td', { text: job.id }),
        el('td', { text: job.state }),
        el('td', { class: 'payload', text: JSON.stringify(job.data).slice(0, 300) }),
        el('td', { text: job.createdAt ? new Date(job.createdAt).toLocaleString() : '–' }),
        el('td', { text: job.attempts }),
        el('td', { text: job.error || '–' }),
      ]),
    );
    const tbody = $('#results tbody');
    if (more) tbody.append(...rows);
    else tbody.replaceChildren(...rows);
    status.textContent = body.jobs.length + ' found, ' + body.scanned + ' jobs read' + (body.nextCursor ? '; more jobs left to read' : '; every job read');
    $('#search-more').hidden = !body.nextCursor;
  }
  $('#search').addEventListener('submit', (event) => {
    event.preventDefault();
    search(false);
  });
  $('#search-more').addEventListener('click', () => search(true));

  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => lastData && draw(lastData), 150);
  });

  refresh();
  setInterval(refresh, POLL_MS);
})();
