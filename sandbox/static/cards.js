/*
 * Adaptive Cards, the subset the bot sends (wxc_cc/cards.py): TextBlock, FactSet, ColumnSet/Column, Container,
 * ActionSet, Input.Text and Action.Submit. Every text goes in with textContent, never as HTML.
 * A button press calls onSubmit({...action.data, ...input values}) as a Webex client submits it.
 */
'use strict';

window.renderCard = (function () {
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function inputValues(root) {
    const values = {};
    root.querySelectorAll('[data-input-id]').forEach(function (input) {
      values[input.dataset.inputId] = input.value;
    });
    return values;
  }

  function button(action, root, onSubmit) {
    if (action.type !== 'Action.Submit') {
      return el('span', 'ac-unsupported', '[' + action.type + ']');
    }
    const b = el('button', 'ac-button' + (action.style ? ' ac-' + action.style : ''), action.title || 'Submit');
    b.type = 'button';
    b.addEventListener('click', function () {
      const data = Object.assign({}, action.data || {}, inputValues(root));
      onSubmit(data, b);
    });
    return b;
  }

  function actions(list, root, onSubmit) {
    const row = el('div', 'ac-actions');
    (list || []).forEach(function (action) { row.appendChild(button(action, root, onSubmit)); });
    return row;
  }

  function element(item, root, onSubmit) {
    let node;
    switch (item.type) {
      case 'TextBlock':
        node = el('div', 'ac-text', item.text);
        if (item.weight === 'Bolder') node.classList.add('ac-bold');
        if (item.size) node.classList.add('ac-size-' + String(item.size).toLowerCase());
        if (item.fontType === 'Monospace') node.classList.add('ac-mono');
        if (item.isSubtle) node.classList.add('ac-subtle');
        break;
      case 'FactSet':
        node = el('table', 'ac-facts');
        (item.facts || []).forEach(function (fact) {
          const tr = el('tr');
          tr.appendChild(el('th', null, fact.title));
          tr.appendChild(el('td', null, fact.value));
          node.appendChild(tr);
        });
        break;
      case 'ColumnSet':
        node = el('div', 'ac-columns');
        (item.columns || []).forEach(function (column) { node.appendChild(element(column, root, onSubmit)); });
        break;
      case 'Column':
        node = el('div', 'ac-column' + (item.width === 'stretch' ? ' ac-stretch' : ''));
        (item.items || []).forEach(function (child) { node.appendChild(element(child, root, onSubmit)); });
        break;
      case 'Container':
        node = el('div', 'ac-container');
        (item.items || []).forEach(function (child) { node.appendChild(element(child, root, onSubmit)); });
        break;
      case 'ActionSet':
        node = actions(item.actions, root, onSubmit);
        break;
      case 'Input.Text': {
        node = el('label', 'ac-input');
        if (item.label) node.appendChild(el('span', null, item.label));
        const input = el('input');
        input.dataset.inputId = item.id;
        input.placeholder = item.placeholder || '';
        input.value = item.value || '';
        node.appendChild(input);
        break;
      }
      default:
        node = el('div', 'ac-unsupported', '[unsupported card element ' + item.type + ']');
    }
    if (item.separator) node.classList.add('ac-separator');
    return node;
  }

  return function renderCard(card, onSubmit) {
    const root = el('div', 'ac-card');
    (card.body || []).forEach(function (item) { root.appendChild(element(item, root, onSubmit)); });
    if (card.actions && card.actions.length) root.appendChild(actions(card.actions, root, onSubmit));
    return root;
  };
})();
