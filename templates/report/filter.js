(function () {
  var q = document.getElementById('q');
  var sel = document.getElementById('status');
  var shown = document.getElementById('shown');
  var cards = Array.prototype.slice.call(document.querySelectorAll('main .card'));
  function apply() {
    var text = q.value.trim().toLowerCase();
    var status = sel.value;
    var n = 0;
    cards.forEach(function (c) {
      var visible = (!status || c.getAttribute('data-status') === status) &&
        (!text || c.getAttribute('data-search').indexOf(text) !== -1);
      c.hidden = !visible;
      if (visible) n++;
    });
    shown.textContent = n + ' of ' + cards.length + ' shown';
  }
  q.addEventListener('input', apply);
  sel.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('[data-filter]'), function (b) {
    b.addEventListener('click', function () { sel.value = b.getAttribute('data-filter'); apply(); });
  });
  document.getElementById('filters').hidden = false;
  apply();
})();
