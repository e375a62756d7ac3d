/*
 * The sandbox page: chat as a simulated user, that user's phone, and the API trace. Polls the sandbox API
 * about once a second; every action is a POST to /sandbox/api/<action>. Markup from the server is the bot's
 * markdown rendered server-side (sandbox/markdown.py: no HTML from the text passes); everything else goes in with
 * textContent.
 */
'use strict';

(function () {
  const POLL_MS = 1000;
  // right after an action the answer comes within moments: look more often for a little while
  const QUICK_POLL_MS = 250, QUICK_FOR_MS = 3000;
  const MAX_TRACE_ROWS = 500;
  const $ = function (id) { return document.getElementById(id); };
  const state = {user: (location.hash || '#alice').slice(1), users: [], lastSeq: -1, polling: false, again: false,
                 timer: null, quickUntil: 0, messages: new Map()};

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function userInfo(key) {
    return state.users.find(function (u) { return u.key === key; }) || {key: key, name: key, extension: ''};
  }

  function firstName(key) { return userInfo(key).name.split(' ')[0]; }

  function notify(text, isError) {
    const notice = $('notice');
    notice.textContent = text;
    notice.className = isError ? 'error' : 'info';
    notice.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(function () { notice.hidden = true; }, isError ? 8000 : 6000);
  }

  async function api(action, body) {
    const response = await fetch('/sandbox/api/' + action, {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(Object.assign({user: state.user}, body || {}))});
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) throw new Error(data.error || ('HTTP ' + response.status));
    state.quickUntil = Date.now() + QUICK_FOR_MS;
    refresh();
    return data;
  }

  function time(iso) {
    const d = typeof iso === 'number' ? new Date(iso * 1000) : new Date(iso);
    return isNaN(d) ? '' : d.toLocaleTimeString([], {hour12: false});
  }

  // --- users

  function renderUsers() {
    const nav = $('users');
    if (nav.childElementCount !== state.users.length) {
      nav.textContent = '';
      state.users.forEach(function (u) {
        const b = el('button', 'user', u.name.split(' ')[0] + ' ' + u.extension);
        b.type = 'button';
        b.dataset.user = u.key;
        b.addEventListener('click', function () { selectUser(u.key); });
        nav.appendChild(b);
      });
    }
    nav.querySelectorAll('button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.user === state.user));
    });
    const me = userInfo(state.user);
    $('expire').textContent = 'Expire ' + firstName(state.user) + "'s access token now";
    $('phone-title').textContent = firstName(state.user) + "'s phone (" + me.extension + ')';
    $('chat-title').textContent = 'Chat with the bot as ' + me.name;
    $('ring').textContent = 'Ring ' + firstName(state.user);
    const select = $('caller');
    const wanted = state.users.filter(function (u) { return u.key !== state.user; })
      .map(function (u) { return u.key; }).concat(['outside']).join(',');
    if (select.dataset.options !== wanted) {
      const chosen = select.value;
      select.textContent = '';
      state.users.filter(function (u) { return u.key !== state.user; }).forEach(function (u) {
        const option = el('option', null, u.name + ' (' + u.extension + ', internal call)');
        option.value = u.key;
        select.appendChild(option);
      });
      const outside = el('option', null, 'Outside caller');
      outside.value = 'outside';
      select.appendChild(outside);
      select.value = wanted.split(',').includes(chosen) ? chosen : 'outside';
      select.dataset.options = wanted;
      showOutside();
    }
  }

  function selectUser(key) {
    if (key === state.user) return;
    state.user = key;
    history.replaceState(null, '', '#' + key);
    $('messages').textContent = '';
    state.messages.clear();
    $('calls').textContent = '';
    renderUsers();
    refresh();
  }

  // --- chat

  function messageElement(message) {
    const node = el('article', 'msg ' + (message.fromBot ? 'from-bot' : 'from-me'));
    node.dataset.id = message.id;
    const head = el('header');
    head.appendChild(el('span', 'author', message.fromBot ? 'Bot' : firstName(state.user)));
    head.appendChild(el('time', null, time(message.created)));
    node.appendChild(head);
    const body = el('div', 'md');
    body.innerHTML = message.html;  // rendered server-side, the text escaped (sandbox/markdown.py)
    node.appendChild(body);
    if (message.card) {
      const card = window.renderCard(message.card, function (data, button) { press(message.id, data, node, button); });
      node.appendChild(card);
    }
    return node;
  }

  async function press(messageId, inputs, node, button) {
    const buttons = node.querySelectorAll('.ac-button');
    buttons.forEach(function (b) { b.disabled = true; });
    button.classList.add('pressed');
    try {
      await api('press', {messageId: messageId, inputs: inputs});
    } catch (error) {
      buttons.forEach(function (b) { b.disabled = false; });
      button.classList.remove('pressed');
      notify('The card could not be submitted: ' + error.message, true);
    }
  }

  function renderMessages(messages) {
    const box = $('messages');
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const ids = new Set(messages.map(function (m) { return m.id; }));
    let added = false;
    state.messages.forEach(function (node, id) {
      if (!ids.has(id)) { node.remove(); state.messages.delete(id); }  // deleted (stale cards) disappear
    });
    let previous = null;
    messages.forEach(function (message) {
      let node = state.messages.get(message.id);
      if (!node) {
        node = messageElement(message);
        state.messages.set(message.id, node);
        added = true;
      }
      const expected = previous ? previous.nextSibling : box.firstChild;
      if (expected !== node) box.insertBefore(node, expected);
      previous = node;
    });
    if (added && atBottom) box.scrollTop = box.scrollHeight;
  }

  async function say(text) {
    text = text.trim();
    if (!text) return;
    try {
      await api('say', {text: text});
      $('text').value = '';
      $('messages').scrollTop = $('messages').scrollHeight;
    } catch (error) {
      notify('Not sent: ' + error.message, true);
    }
  }

  // --- phone

  function renderCalls(calls, voicemail) {
    const box = $('calls');
    box.textContent = '';
    if (!calls.length) box.appendChild(el('p', 'idle', 'No active calls.'));
    calls.forEach(function (call) {
      const card = el('div', 'call state-' + call.state);
      card.dataset.callId = call.id;
      const who = call.remote.name && call.remote.name !== call.remote.number
        ? call.remote.name + ' (' + call.remote.number + ')' : (call.remote.name || call.remote.number || 'unknown');
      const title = el('div', 'call-title');
      title.appendChild(el('span', 'badge', call.state));
      title.appendChild(el('span', null, (call.direction === 'incoming' ? 'from ' : 'to ') + who));
      card.appendChild(title);
      const since = time(call.answered || call.created);
      const devices = call.devices.length ? ' · ' + (call.ringing ? 'rings ' : 'on ') + call.devices.join(', ') : '';
      card.appendChild(el('div', 'call-meta', call.direction + ' call · since ' + since + devices));
      const buttons = el('div', 'row');
      call.farEnd.forEach(function (action) {
        const b = el('button', 'far-end far-end-' + action.action, action.label);
        b.type = 'button';
        b.addEventListener('click', async function () {
          b.disabled = true;
          try { await api('far-end', {callId: call.id, action: action.action}); } catch (error) {
            b.disabled = false;
            notify(error.message, true);
          }
        });
        buttons.appendChild(b);
      });
      card.appendChild(buttons);
      box.appendChild(card);
    });
    $('voicemail-count').textContent = 'Voicemail: ' + voicemail.new + ' new, ' + voicemail.total + ' in total.';
  }

  const FORWARD_KINDS = {always: 'always', busy: 'when busy', noAnswer: 'when not answered'};

  function renderSettings(settings) {
    const dnd = $('dnd-state');
    dnd.textContent = 'Do Not Disturb: ' + (settings.dnd ? 'on' : 'off');
    dnd.className = settings.dnd ? 'setting-on' : '';
    const forwarding = $('forwarding-state');
    forwarding.textContent = 'Forwarding: ' + (settings.forwarding.length ? settings.forwarding.map(function (f) {
      return FORWARD_KINDS[f.kind] + ' → ' + (f.voicemail ? 'voicemail of ' : '') + f.destination;
    }).join(', ') : 'off');
    forwarding.className = settings.forwarding.length ? 'setting-on' : '';
  }

  const AGENT_STATES = {AVAILABLE: 'available', UNAVAILABLE: 'unavailable', SIGN_IN: 'signed in',
                        SIGN_OUT: 'signed out', WRAP_UP: 'wrapping up'};
  const CALLER_ID_TYPES = {DEFAULT_CLID: 'default', ADDITIONAL_CLID: 'additional number', CALL_QUEUE: 'call queue',
                           HUNT_GROUP: 'hunt group'};

  function renderPhone(phone) {
    const devices = $('devices');
    devices.textContent = '';
    if (!phone.devices.length) devices.appendChild(el('li', 'idle', 'No devices.'));
    phone.devices.forEach(function (device) {
      const item = el('li', 'device' + (device.ringing ? ' ringing' : ''));
      item.appendChild(el('span', 'device-name', device.name));
      item.appendChild(el('span', 'device-type', device.type === 'APPLICATION' ? 'app' : 'phone'));
      if (device.preferred) item.appendChild(el('span', 'badge preferred', 'preferred'));
      if (device.ringing) item.appendChild(el('span', 'badge rings', 'rings'));
      devices.appendChild(item);
    });
    const queues = $('call-queues');
    queues.textContent = phone.agent === null ? 'Call queues: none (no call-centre service)'
      : 'Call queues (' + (AGENT_STATES[phone.agent.state] || phone.agent.state) + '): ' +
        phone.agent.queues.map(function (q) {
          return q.name + ' ' + (q.extension || q.number) + (q.joined ? ' joined' : ' not joined') +
            (q.mayLeave ? '' : ', may not leave');
        }).join(' · ');
    const id = phone.callerId;
    $('caller-id').textContent = 'Caller ID: ' + id.name + (id.number ? ' (' + id.number + ')' : '') + ', ' +
      (CALLER_ID_TYPES[id.type] || id.type);
  }

  function renderEnds(ends) {
    // the bot's pending ends: what goes back to what, and when (rendered server-side from escaped text)
    const list = $('pending-ends');
    list.textContent = '';
    ends.forEach(function (end) {
      const item = el('li', 'pending-end');
      item.innerHTML = end.html;
      item.title = 'due ' + end.due;
      list.appendChild(item);
    });
  }

  function renderTimezone(zone) {
    $('timezone-state').textContent = 'Time zone: ' + (zone || 'none (the bot shows UTC)');
  }

  function callerBody() {
    return {caller: $('caller').value, name: $('caller-name').value, number: $('caller-number').value};
  }

  function showOutside() { $('outside').hidden = $('caller').value !== 'outside'; }

  // --- trace

  function traceElement(row) {
    const item = el('li', 'trace-row by-' + row.by + ' status-' + String(row.status).charAt(0) + 'xx');
    item.dataset.seq = row.seq;
    const line = el('div', 'trace-line');
    line.appendChild(el('span', 'method', row.method));
    const query = new URLSearchParams(row.query || {}).toString();
    line.appendChild(el('span', 'path', row.path + (query ? '?' + query : '')));
    line.appendChild(el('span', 'status', row.status));
    item.appendChild(line);
    const meta = el('div', 'trace-meta');
    meta.appendChild(el('span', 'identity', row.identity));
    meta.appendChild(el('span', 'duration', row.durationMs + ' ms'));
    meta.appendChild(el('time', null, time(row.at)));
    if (row.by === 'browser') meta.appendChild(el('span', 'by', 'browser'));
    item.appendChild(meta);
    if (row.body !== null && row.body !== undefined) {
      const text = JSON.stringify(row.body, null, 2);
      const pre = el('pre', 'body', text);
      if (text.split('\n').length > 14) {
        const details = el('details');
        details.appendChild(el('summary', null, 'body (' + text.split('\n').length + ' lines)'));
        details.appendChild(pre);
        item.appendChild(details);
      } else {
        item.appendChild(pre);
      }
    }
    return item;
  }

  function renderTrace(rows) {
    const list = $('trace');
    for (let i = rows.length - 1; i >= 0; i--) {  // rows come newest first: insert the oldest first
      if (rows[i].seq <= state.lastSeq) continue;
      list.insertBefore(traceElement(rows[i]), list.firstChild);
    }
    if (rows.length) state.lastSeq = Math.max(state.lastSeq, rows[0].seq);
    while (list.childElementCount > MAX_TRACE_ROWS) list.lastChild.remove();
  }

  // --- polling

  async function poll() {
    if (state.polling) { state.again = true; return; }
    state.polling = true;
    clearTimeout(state.timer);
    const user = state.user;
    try {
      const response = await fetch('/sandbox/api/state?user=' + encodeURIComponent(user) + '&after=' + state.lastSeq,
        {cache: 'no-store'});
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const data = await response.json();
      state.users = data.users;
      renderTrace(data.trace);
      if (data.user === state.user) {
        renderUsers();
        renderMessages(data.messages);
        renderCalls(data.calls, data.voicemail);
        renderSettings(data.settings);
        renderPhone(data.phone);
        renderEnds(data.ends);
        renderTimezone(data.timezone);
      }
      document.body.classList.remove('offline');
    } catch (error) {
      document.body.classList.add('offline');
    } finally {
      state.polling = false;
      if (state.again) {
        state.again = false;
        setTimeout(poll, 0);
      } else {
        state.timer = setTimeout(poll, Date.now() < state.quickUntil ? QUICK_POLL_MS : POLL_MS);
      }
    }
  }

  function refresh() { poll(); }

  // --- wiring

  document.addEventListener('DOMContentLoaded', function () {
    $('compose').addEventListener('submit', function (event) { event.preventDefault(); say($('text').value); });
    $('chips').addEventListener('click', function (event) {
      if (event.target.tagName === 'BUTTON') say(event.target.textContent);
    });
    $('caller').addEventListener('change', showOutside);
    $('ring-form').addEventListener('submit', async function (event) {
      event.preventDefault();
      try {
        const result = await api('ring', callerBody());
        if (!result.rings) {
          notify(firstName(state.user) + "'s phone did not ring: Do Not Disturb (the caller heard busy), or " +
                 'forwarded to voicemail or outside.');
        } else if (result.rings !== state.user) {
          notify('Forwarded: the call rings ' + firstName(result.rings) + "'s phone.");
        }
      } catch (error) { notify('Could not ring: ' + error.message, true); }
    });
    $('leave-voicemail').addEventListener('click', async function () {
      try {
        await api('voicemail', callerBody());
        notify('A voice message was left for ' + firstName(state.user) + '.');
      } catch (error) { notify('Could not leave a voicemail: ' + error.message, true); }
    });
    $('expire').addEventListener('click', async function () {
      try {
        const result = await api('expire', {});
        notify(firstName(state.user) + "'s access token expired (" + result.expired + '). The next command ' +
               'gets 401, the bot refreshes it: watch for POST /access_token in the trace.');
      } catch (error) { notify(error.message, true); }
    });
    $('fail-next').addEventListener('click', async function () {
      try {
        await api('fail-next', {});
        notify('The next API request of the bot gets 429 Too Many Requests (Retry-After: 1). Send a command ' +
               'and watch the trace: the bot waits a second and tries again.');
      } catch (error) { notify(error.message, true); }
    });
    $('clear-trace').addEventListener('click', function () { $('trace').textContent = ''; });
    poll();
  });
})();
