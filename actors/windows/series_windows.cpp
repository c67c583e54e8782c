#include "actors/windows/series_windows.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <mutex>
#include <utility>

#include "config/defaults.hpp"

namespace floe::windows {

namespace {

constexpr int64_t no_time = std::numeric_limits<int64_t>::min();

bool key_less(const sample& a, const sample& b) {
  return key_of(a) < key_of(b);
}

// Sorts by (timestamp, seq) and keeps one point per identity: the one that came last in the
// input, so a later delivery (or a batch point appended after raw points) wins.
void sort_unique_keep_last(std::vector<sample>& v) {
  std::stable_sort(v.begin(), v.end(), key_less);
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i + 1 < v.size() && key_of(v[i]) == key_of(v[i + 1]))
      continue;
    if (out != i)
      v[out] = std::move(v[i]);
    ++out;
  }
  v.resize(out);
}

// The earlier of two optional points by key; `b` wins a tie.
std::optional<sample> earlier(std::optional<sample> a, std::optional<sample> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return key_of(*a) < key_of(*b) ? std::move(a) : std::move(b);
}

// The later of two optional points by key; `b` wins a tie.
std::optional<sample> later(std::optional<sample> a, std::optional<sample> b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return key_of(*b) < key_of(*a) ? std::move(a) : std::move(b);
}

} // namespace

// ---- configuration ----------------------------------------------------------------------

result<window_config, errc> make_window_config(std::vector<int64_t> widths_ms,
                                               int64_t allowed_lateness_ms,
                                               int64_t rebuild_reemit_ms) {
  if (widths_ms.empty())
    return make_unexpected(errc::bad_width);
  for (auto w : widths_ms)
    if (w <= 0 || w > max_width_ms)
      return make_unexpected(errc::bad_width);
  if (allowed_lateness_ms < 0 || allowed_lateness_ms > max_lateness_ms)
    return make_unexpected(errc::bad_lateness);
  if (rebuild_reemit_ms < 0 || rebuild_reemit_ms > max_lateness_ms)
    return make_unexpected(errc::bad_lateness);
  std::sort(widths_ms.begin(), widths_ms.end());
  widths_ms.erase(std::unique(widths_ms.begin(), widths_ms.end()), widths_ms.end());
  window_config cfg;
  cfg.widths_ms = std::move(widths_ms);
  cfg.allowed_lateness_ms = allowed_lateness_ms;
  cfg.rebuild_reemit_ms = rebuild_reemit_ms;
  return cfg;
}

window_config default_window_config() {
  namespace d = floe::defaults::windows;
  window_config cfg;
  cfg.widths_ms.assign(std::begin(d::widths_ms), std::end(d::widths_ms));
  cfg.allowed_lateness_ms = d::allowed_lateness_ms;
  cfg.rebuild_reemit_ms = d::rebuild_reemit_ms;
  return cfg;
}

// ---- series_windows ---------------------------------------------------------------------

namespace {

bool operator==(const window_config& a, const window_config& b) {
  return a.widths_ms == b.widths_ms && a.allowed_lateness_ms == b.allowed_lateness_ms
         && a.rebuild_reemit_ms == b.rebuild_reemit_ms;
}

// One shared copy per distinct configuration (normally a single one per process), so a
// series holds a pointer instead of its own vector of widths.
std::shared_ptr<const window_config> intern(window_config cfg) {
  static std::mutex mtx;
  static std::vector<std::weak_ptr<const window_config>> known;
  std::lock_guard<std::mutex> guard{mtx};
  for (size_t i = 0; i < known.size();) {
    auto p = known[i].lock();
    if (!p) {
      known[i] = std::move(known.back());
      known.pop_back();
      continue;
    }
    if (*p == cfg)
      return p;
    ++i;
  }
  cfg.widths_ms.shrink_to_fit();
  auto p = std::make_shared<const window_config>(std::move(cfg));
  known.push_back(p);
  return p;
}

// Growth of the on-time buffer: exact while small, then by an eighth instead of doubling
// (amortised linear still): it holds only about lateness x rate points and keeps its capacity
// while the series is live.
void reserve_one_more(std::vector<stored_point>& v) {
  if (v.size() == v.capacity())
    v.reserve(v.size() + 1 + v.size() / 8);
}

// Releases spare capacity of a buffer that drained (idle series) or shrank to a quarter.
template <class T>
void shrink_if_drained(std::vector<T>& v) {
  if (v.empty())
    std::vector<T>{}.swap(v);
  else if (v.size() <= v.capacity() / 4)
    v.shrink_to_fit();
}

} // namespace

static_assert(sizeof(void*) != 8 || sizeof(window_aggregate) == 96,
              "one accumulator per open window, width and series: keep it small");

series_windows::open_window::open_window(size_t width, int64_t start, window_aggregate a,
                                         const sample* carry)
  : start_ms(start), acc(std::move(a)), width_index(static_cast<uint16_t>(width)) {
  if (carry != nullptr) {
    has_carry = true;
    carry_ts_ms = carry->timestamp_ms;
    carry_seq = carry->seq;
    carry_flag = carry->flag;
    carry_historical = carry->historical;
    if (carry->kind == value_kind::string && !carry->text.empty())
      carry_text.ensure() = carry->text;
  }
}

std::optional<sample> series_windows::open_window::carry_in(uint64_t series_id,
                                                            value_kind kind) const {
  if (!has_carry)
    return std::nullopt;
  sample s;
  s.series_id = series_id;
  s.timestamp_ms = carry_ts_ms;
  s.seq = carry_seq;
  s.kind = kind;
  s.flag = carry_flag;
  s.historical = carry_historical;
  if (carry_text)
    s.text = *carry_text;
  return s;
}

series_windows::series_windows(uint64_t series_id, value_kind kind, window_config config)
  : id_(series_id),
    watermark_(no_time),
    newest_live_ms_(no_time),
    newest_seen_ms_(no_time),
    last_arrival_ms_(no_time),
    kind_(kind) {
  // Defensive for hand-made configs: a width <= 0 would divide by zero in window_start.
  auto& w = config.widths_ms;
  w.erase(std::remove_if(w.begin(), w.end(),
                         [](int64_t x) { return x <= 0 || x > max_width_ms; }),
          w.end());
  // open_window keeps its width index in 16 bits; real configurations have a few widths.
  if (w.size() > std::numeric_limits<uint16_t>::max() + size_t{1})
    w.resize(std::numeric_limits<uint16_t>::max() + size_t{1});
  config.allowed_lateness_ms = std::clamp<int64_t>(config.allowed_lateness_ms, 0,
                                                   max_lateness_ms);
  config.rebuild_reemit_ms = std::clamp<int64_t>(config.rebuild_reemit_ms, 0, max_lateness_ms);
  config_ = intern(std::move(config));
}

std::optional<sample> series_windows::last_sealed() const {
  if (!has_last_sealed_)
    return std::nullopt;
  return last_sealed_.to_sample(id_);
}

void series_windows::set_last_sealed(const sample& s) {
  last_sealed_ = stored_point{s};
  has_last_sealed_ = true;
}

series_windows::window_iter series_windows::find_window(size_t i, int64_t start_ms) {
  return std::lower_bound(open_.begin(), open_.end(), std::make_pair(i, start_ms),
                          [](const open_window& x, const std::pair<size_t, int64_t>& k) {
                            return x.width_index < k.first
                                   || (x.width_index == k.first && x.start_ms < k.second);
                          });
}

series_windows::window_iter series_windows::insert_window(window_iter at, open_window w) {
  // Exact growth: a series has about one open window per width, and the vector is shrunk
  // again when windows close (advance_watermark).
  if (open_.size() == open_.capacity()) {
    auto pos = at - open_.begin();
    open_.reserve(open_.size() + 1);
    at = open_.begin() + pos;
  }
  return open_.insert(at, std::move(w));
}

size_t series_windows::open_window_count() const {
  size_t n = open_.size();
  for (size_t i = 0; i < width_count(); ++i) {
    // Windows holding only buffered points are open too.
    int64_t last_start = no_time;
    for (auto& x : open_)
      if (x.width_index == i)
        last_start = x.start_ms;
    for (auto& p : pending_) {
      int64_t start = window_start(p.timestamp_ms, width(i));
      if (start > last_start) {
        ++n;
        last_start = start;
      }
    }
  }
  return n;
}

std::optional<errc> series_windows::validate(const sample& s) const {
  if (s.series_id != id_)
    return errc::wrong_series;
  if (s.kind != kind_)
    return errc::kind_mismatch;
  if (s.timestamp_ms < 0 || s.timestamp_ms > max_timestamp_ms)
    return errc::timestamp_out_of_range;
  if (s.kind == value_kind::numeric && !std::isfinite(s.number))
    return errc::non_finite_value;
  return std::nullopt;
}

add_report series_windows::add(const sample* points, size_t count, int64_t arrival_ms,
                               raw_point_source& raw, std::vector<window_result>& closed) {
  add_report report;
  std::vector<sample> late;
  for (size_t i = 0; i < count; ++i) {
    const sample& s = points[i];
    if (auto e = validate(s)) {
      ++report.rejected;
      if (!report.first_error)
        report.first_error = *e;
      continue;
    }
    ++report.accepted;
    newest_seen_ms_ = std::max(newest_seen_ms_, s.timestamp_ms);
    last_arrival_ms_ = std::max(last_arrival_ms_, arrival_ms);
    if (s.timestamp_ms < watermark_) {
      ++report.late;
      late.push_back(s);
      continue;
    }
    insert_pending(s);
    if (!s.historical && s.timestamp_ms > newest_live_ms_) {
      newest_live_ms_ = s.timestamp_ms;
      int64_t wm = newest_live_ms_ - config_->allowed_lateness_ms;
      if (wm > watermark_) {
        // Late points of this batch were late against the current watermark: apply them
        // before it moves, so no window closes without them.
        apply_late(late, raw, closed, report);
        late.clear();
        advance_watermark(wm, closed, false);
      }
    }
  }
  apply_late(late, raw, closed, report);
  return report;
}

void series_windows::insert_pending(const sample& s) {
  auto key = key_of(s);
  if (pending_.empty() || pending_.back().key() < key) {
    reserve_one_more(pending_);
    pending_.emplace_back(s);
    return;
  }
  auto i = std::lower_bound(pending_.begin(), pending_.end(), key,
                            [](const stored_point& p, point_key k) { return p.key() < k; });
  if (i != pending_.end() && i->key() == key) {
    *i = stored_point{s}; // the same point again: replace, never count twice
    return;
  }
  auto pos = i - pending_.begin();
  reserve_one_more(pending_);
  pending_.insert(pending_.begin() + pos, stored_point{s});
}

void series_windows::seal(const sample& s, int64_t keep_windows_ending_after) {
  std::optional<sample> carry; // materialised once, when a window opens
  for (size_t i = 0; i < width_count(); ++i) {
    int64_t w = width(i);
    int64_t start = window_start(s.timestamp_ms, w);
    if (start + w <= keep_windows_ending_after)
      continue;
    auto it = find_window(i, start);
    if (it == open_.end() || it->width_index != i || it->start_ms != start) {
      if (!carry)
        carry = last_sealed();
      it = insert_window(it, open_window{i, start, window_aggregate{kind_},
                                         carry ? &*carry : nullptr});
    }
    // Cannot fail: the point was validated, and points are sealed in key order.
    (void) it->acc.add(s);
  }
  if (!has_last_sealed_ || last_sealed_.key() <= key_of(s))
    set_last_sealed(s);
}

void series_windows::advance_watermark(int64_t new_watermark,
                                       std::vector<window_result>& closed, bool recomputed) {
  size_t sealed = 0;
  for (; sealed < pending_.size() && pending_[sealed].timestamp_ms < new_watermark; ++sealed)
    seal(pending_[sealed].to_sample(id_), no_time);
  if (sealed > 0) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(sealed));
    shrink_if_drained(pending_);
  }
  watermark_ = new_watermark;
  // open_ is ordered by width, then start: the closed windows come out in that order.
  size_t kept = 0;
  for (size_t k = 0; k < open_.size(); ++k) {
    auto& x = open_[k];
    int64_t w = width(x.width_index);
    if (x.start_ms + w <= new_watermark) {
      auto carry = x.carry_in(id_, kind_);
      auto r = x.acc.finish(id_, w, x.start_ms, carry ? &*carry : nullptr, x.start_ms + w);
      r.final = true;
      r.recomputed = recomputed;
      closed.push_back(std::move(r));
      continue;
    }
    if (kept != k)
      open_[kept] = std::move(x);
    ++kept;
  }
  if (kept != open_.size()) {
    open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(kept), open_.end());
    // Exact size again: the windows that replace the closed ones are already open.
    if (open_.empty())
      std::vector<open_window>{}.swap(open_);
    else
      open_.shrink_to_fit();
  }
}

void series_windows::advance_processing_time(int64_t now_ms,
                                             std::vector<window_result>& closed) {
  if (newest_seen_ms_ == no_time || now_ms <= last_arrival_ms_)
    return;
  // Unsigned difference: cannot overflow for any pair of int64 with now_ms > last arrival.
  uint64_t elapsed = static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(last_arrival_ms_);
  elapsed = std::min<uint64_t>(elapsed, static_cast<uint64_t>(max_timestamp_ms));
  int64_t event_now = newest_seen_ms_ + static_cast<int64_t>(elapsed);
  int64_t wm = event_now - config_->allowed_lateness_ms;
  if (wm > watermark_)
    advance_watermark(wm, closed, false);
}

size_t series_windows::close_all(std::vector<window_result>& closed) {
  int64_t wm = watermark_;
  for (auto& x : open_)
    wm = std::max(wm, x.start_ms + width(x.width_index));
  if (!pending_.empty())
    for (size_t i = 0; i < width_count(); ++i)
      wm = std::max(wm, window_start(pending_.back().timestamp_ms, width(i)) + width(i));
  if (wm <= watermark_)
    return 0;
  auto before = closed.size();
  advance_watermark(wm, closed, false);
  return closed.size() - before;
}

std::vector<window_result> series_windows::open_windows() const {
  struct view {
    int64_t start_ms;
    window_aggregate acc;
    std::optional<sample> carry_in;
  };
  std::vector<window_result> out;
  for (size_t i = 0; i < width_count(); ++i) {
    int64_t w = width(i);
    // Fold the buffered points into copies in key order, exactly as sealing will later do.
    std::vector<view> views;
    for (auto& x : open_)
      if (x.width_index == i)
        views.push_back(view{x.start_ms, x.acc, x.carry_in(id_, kind_)});
    std::optional<sample> before = last_sealed();
    for (auto& stored : pending_) {
      auto p = stored.to_sample(id_);
      int64_t start = window_start(p.timestamp_ms, w);
      if (views.empty() || views.back().start_ms < start)
        views.push_back(view{start, window_aggregate{kind_}, before});
      (void) views.back().acc.add(p);
      before = std::move(p);
    }
    for (auto& v : views) {
      auto r = v.acc.finish(id_, w, v.start_ms, v.carry_in ? &*v.carry_in : nullptr,
                            newest_seen_ms_);
      r.final = false;
      out.push_back(std::move(r));
    }
  }
  return out;
}

// ---- late points ------------------------------------------------------------------------

window_aggregate series_windows::fold(const std::vector<sample>& points) const {
  window_aggregate acc{kind_};
  for (auto& p : points)
    if (p.kind == kind_)
      (void) acc.add(p); // sorted and unique; a non-finite stored value is skipped
  return acc;
}

result<std::vector<sample>, errc>
series_windows::merged_points(raw_point_source& raw, int64_t from_ms, int64_t to_ms,
                              const std::vector<sample>& late) const {
  auto stored = raw.points(id_, from_ms, to_ms);
  if (!stored)
    return make_unexpected(errc::raw_source_failed);
  std::vector<sample> pts;
  pts.reserve(stored->size() + late.size());
  for (auto& p : *stored)
    if (p.series_id == id_ && p.timestamp_ms >= from_ms && p.timestamp_ms < to_ms)
      pts.push_back(std::move(p));
  for (auto& p : late)
    if (p.timestamp_ms >= from_ms && p.timestamp_ms < to_ms)
      pts.push_back(p);
  sort_unique_keep_last(pts);
  return pts;
}

result<std::optional<sample>, errc>
series_windows::latest_before(raw_point_source& raw, int64_t before_ms,
                              const std::vector<sample>& late) const {
  auto stored = raw.last_before(id_, before_ms);
  if (!stored)
    return make_unexpected(errc::raw_source_failed);
  std::optional<sample> best;
  if (*stored && (*stored)->series_id == id_ && (*stored)->timestamp_ms < before_ms)
    best = std::move(*stored);
  // `late` is sorted: the last one before before_ms is the newest.
  auto i = std::lower_bound(late.begin(), late.end(), before_ms,
                            [](const sample& s, int64_t t) { return s.timestamp_ms < t; });
  if (i != late.begin())
    best = later(std::move(best), *std::prev(i));
  return best;
}

result<std::optional<sample>, errc>
series_windows::earliest_from(raw_point_source& raw, int64_t from_ms,
                              const std::vector<sample>& late) const {
  auto stored = raw.first_from(id_, from_ms);
  if (!stored)
    return make_unexpected(errc::raw_source_failed);
  std::optional<sample> best;
  if (*stored && (*stored)->series_id == id_ && (*stored)->timestamp_ms >= from_ms)
    best = std::move(*stored);
  auto by_time = [](const sample& s, int64_t t) { return s.timestamp_ms < t; };
  auto i = std::lower_bound(late.begin(), late.end(), from_ms, by_time);
  if (i != late.end())
    best = earlier(std::move(best), *i);
  auto j = std::lower_bound(pending_.begin(), pending_.end(), from_ms,
                            [](const stored_point& p, int64_t t) { return p.timestamp_ms < t; });
  if (j != pending_.end())
    best = earlier(std::move(best), j->to_sample(id_));
  return best;
}

result<std::optional<point_key>, errc>
series_windows::refresh(size_t width_index, int64_t start_ms, const std::vector<sample>& late,
                        raw_point_source& raw, std::vector<window_result>& closed) {
  int64_t w = width(width_index);
  int64_t end = start_ms + w;
  if (end > watermark_ && start_ms >= watermark_)
    return std::optional<point_key>{}; // nothing sealed there: buffered points decide
  auto carry = latest_before(raw, start_ms, late);
  if (!carry)
    return make_unexpected(carry.error());
  const sample* carry_ptr = *carry && (*carry)->kind == kind_ ? &**carry : nullptr;
  if (end <= watermark_) {
    auto pts = merged_points(raw, start_ms, end, late);
    if (!pts)
      return make_unexpected(pts.error());
    auto acc = fold(*pts);
    if (acc.count() == 0)
      return std::optional<point_key>{};
    auto r = acc.finish(id_, w, start_ms, carry_ptr, end);
    r.final = true;
    r.recomputed = true;
    closed.push_back(std::move(r));
    return std::optional<point_key>{acc.last_key()};
  }
  // Open window: recompute the part below the watermark; buffered points stay buffered.
  auto pts = merged_points(raw, start_ms, watermark_, late);
  if (!pts)
    return make_unexpected(pts.error());
  auto acc = fold(*pts);
  auto it = find_window(width_index, start_ms);
  bool exists = it != open_.end() && it->width_index == width_index && it->start_ms == start_ms;
  if (acc.count() == 0) {
    if (exists) {
      open_.erase(it);
      shrink_if_drained(open_);
    }
    return std::optional<point_key>{};
  }
  auto last = acc.last_key();
  open_window updated{width_index, start_ms, std::move(acc), carry_ptr};
  if (exists)
    *it = std::move(updated);
  else
    insert_window(it, std::move(updated));
  return std::optional<point_key>{last};
}

void series_windows::apply_late(std::vector<sample>& late, raw_point_source& raw,
                                std::vector<window_result>& closed, add_report& report) {
  if (late.empty())
    return;
  sort_unique_keep_last(late);
  if (!has_last_sealed_ || last_sealed_.key() <= key_of(late.back()))
    set_last_sealed(late.back());
  auto fail = [&report](errc e) {
    ++report.recompute_failures;
    if (!report.first_error)
      report.first_error = e;
  };
  for (size_t i = 0; i < width_count(); ++i) {
    int64_t w = width(i);
    std::vector<int64_t> starts; // ascending: `late` is sorted
    for (auto& p : late) {
      int64_t start = window_start(p.timestamp_ms, w);
      if (starts.empty() || starts.back() != start)
        starts.push_back(start);
    }
    for (size_t k = 0; k < starts.size(); ++k) {
      auto last = refresh(i, starts[k], late, raw, closed);
      if (!last) {
        fail(last.error());
        continue;
      }
      if (kind_ == value_kind::numeric || !*last)
        continue;
      // Boolean/string: if a late point is now the window's last point, the value carried
      // into the window of the next point changed; refresh that one too.
      int64_t end = starts[k] + w;
      if (!pending_.empty() && pending_.front().timestamp_ms < end)
        continue; // a buffered point is the window's last
      point_key last_key = **last;
      auto by_key = [](const sample& s, point_key k) { return key_of(s) < k; };
      auto found = std::lower_bound(late.begin(), late.end(), last_key, by_key);
      if (found == late.end() || !(key_of(*found) == last_key))
        continue; // the window ends with a point it had before
      auto next = earliest_from(raw, end, late);
      if (!next) {
        fail(next.error());
        continue;
      }
      if (!*next)
        continue;
      int64_t next_start = window_start((*next)->timestamp_ms, w);
      if (std::binary_search(starts.begin() + static_cast<std::ptrdiff_t>(k) + 1, starts.end(),
                             next_start))
        continue; // refreshed in this loop anyway
      auto again = refresh(i, next_start, late, raw, closed);
      if (!again)
        fail(again.error());
    }
  }
}

// ---- restart ----------------------------------------------------------------------------

result<std::optional<series_windows>, errc>
series_windows::rebuild(uint64_t series_id, const window_config& config, raw_point_source& raw,
                        int64_t now_ms, std::vector<window_result>& closed) {
  auto newest = raw.last_before(series_id, max_timestamp_ms + 1);
  if (!newest)
    return make_unexpected(errc::raw_source_failed);
  if (!*newest || (*newest)->series_id != series_id || (*newest)->timestamp_ms < 0
      || (*newest)->timestamp_ms > max_timestamp_ms)
    return std::optional<series_windows>{};
  sample top = std::move(**newest);
  series_windows sw{series_id, top.kind, config};
  const auto& cfg = *sw.config_; // as sanitised by the constructor
  int64_t wm = top.timestamp_ms - cfg.allowed_lateness_ms;
  // Windows ending after keep_after are rebuilt: open ones (end > wm) and recently closed
  // ones, which are emitted again.
  int64_t keep_after = wm - cfg.rebuild_reemit_ms;
  int64_t from = top.timestamp_ms;
  for (auto w : cfg.widths_ms)
    from = std::min(from, window_start(keep_after, w));
  auto carry = raw.last_before(series_id, from);
  if (!carry)
    return make_unexpected(errc::raw_source_failed);
  auto stored = raw.points(series_id, from, top.timestamp_ms + 1);
  if (!stored)
    return make_unexpected(errc::raw_source_failed);
  std::vector<sample> pts;
  pts.reserve(stored->size());
  for (auto& p : *stored)
    if (p.series_id == series_id && p.kind == top.kind && p.timestamp_ms >= from
        && p.timestamp_ms <= top.timestamp_ms && !sw.validate(p))
      pts.push_back(std::move(p));
  sort_unique_keep_last(pts);
  if (*carry && (*carry)->series_id == series_id && (*carry)->kind == top.kind
      && (*carry)->timestamp_ms < from)
    sw.set_last_sealed(**carry);
  sw.newest_live_ms_ = top.timestamp_ms;
  sw.newest_seen_ms_ = top.timestamp_ms;
  sw.last_arrival_ms_ = now_ms;
  for (auto& p : pts) {
    if (p.timestamp_ms < wm)
      sw.seal(p, keep_after);
    else
      sw.pending_.emplace_back(p);
  }
  sw.advance_watermark(wm, closed, true);
  return std::optional<series_windows>{std::move(sw)};
}

} // namespace floe::windows
