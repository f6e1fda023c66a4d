/* How a number is written for people, in the browser: the twin of core/numbers.py (one home each side).
 *
 * Vietnamese writes 17.878, 132,2 and 87,6 % (a no-break space before the sign), whatever the
 * language of the page, as the server's filters {{ n|num }} and {{ p|pct }} do. Only for text
 * people read: never for attributes, URLs, data-* values or JSON sent back to the server.
 *
 *   DiemcauNumbers.num(17878)      -> "17.878"
 *   DiemcauNumbers.num(132.25, 1)  -> "132,3"
 *   DiemcauNumbers.pct(87.63)      -> "87,6 %"   (a value already in percent)
 *   DiemcauNumbers.ratio(3, 4)     -> "75,0 %"
 */
(function () {
  "use strict";
  const EMPTY = "—";
  const formatters = new Map();

  function formatter(places) {
    let f = formatters.get(places);
    if (!f) {
      f = new Intl.NumberFormat("vi-VN", {
        minimumFractionDigits: places, maximumFractionDigits: places, useGrouping: "always",
      });
      formatters.set(places, f);
    }
    return f;
  }

  function toNumber(value) {
    if (value === null || value === undefined || value === "") return null;
    const number = typeof value === "number" ? value : Number(value);
    return Number.isFinite(number) ? number : null;
  }

  function num(value, places = 0) {
    const number = toNumber(value);
    return number === null ? EMPTY : formatter(places).format(number);
  }

  function pct(value, places = 1) {
    const number = toNumber(value);
    return number === null ? EMPTY : `${formatter(places).format(number)}\u00a0%`;
  }

  function ratio(part, whole, places = 1) {
    const w = toNumber(whole);
    return !w ? EMPTY : pct(100 * (toNumber(part) || 0) / w, places);
  }

  window.DiemcauNumbers = Object.freeze({ num, pct, ratio, EMPTY });
})();
