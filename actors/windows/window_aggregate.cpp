#include "actors/windows/window_aggregate.hpp"

#include <algorithm>
#include <cmath>

namespace floe::windows {

namespace {

// Neumaier's variant of Kahan summation: keeps the low-order bits that `sum + x` drops in
// `compensation`, whichever of the two operands is larger.
void compensated_add(double& sum, double& compensation, double x) {
  double t = sum + x;
  if (std::fabs(sum) >= std::fabs(x))
    compensation += (sum - t) + x;
  else
    compensation += (x - t) + sum;
  sum = t;
}

} // namespace

std::string_view to_string(value_kind k) {
  switch (k) {
    case value_kind::numeric:
      return "numeric";
    case value_kind::boolean:
      return "boolean";
    case value_kind::string:
      return "string";
  }
  return "unknown";
}

std::string_view to_string(errc e) {
  switch (e) {
    case errc::wrong_series:
      return "wrong_series";
    case errc::kind_mismatch:
      return "kind_mismatch";
    case errc::non_finite_value:
      return "non_finite_value";
    case errc::timestamp_out_of_range:
      return "timestamp_out_of_range";
    case errc::out_of_order:
      return "out_of_order";
    case errc::bad_width:
      return "bad_width";
    case errc::bad_lateness:
      return "bad_lateness";
    case errc::raw_source_failed:
      return "raw_source_failed";
    case errc::missing_raw_source:
      return "missing_raw_source";
  }
  return "unknown";
}

bool operator==(const sample& a, const sample& b) {
  return a.series_id == b.series_id && a.timestamp_ms == b.timestamp_ms && a.seq == b.seq
         && a.kind == b.kind && a.historical == b.historical
         && (a.kind != value_kind::numeric || a.number == b.number)
         && (a.kind != value_kind::boolean || a.flag == b.flag)
         && (a.kind != value_kind::string || a.text == b.text);
}

bool operator==(const window_result& a, const window_result& b) {
  return a.series_id == b.series_id && a.width_ms == b.width_ms && a.start_ms == b.start_ms
         && a.end_ms == b.end_ms && a.kind == b.kind && a.final == b.final
         && a.recomputed == b.recomputed && a.count == b.count
         && a.first_ts_ms == b.first_ts_ms && a.last_ts_ms == b.last_ts_ms && a.min == b.min
         && a.max == b.max && a.sum == b.sum && a.mean == b.mean && a.stddev == b.stddev
         && a.first == b.first && a.last == b.last && a.last_flag == b.last_flag
         && a.time_true_ms == b.time_true_ms && a.changes == b.changes
         && a.last_text == b.last_text;
}

window_aggregate::window_aggregate(const window_aggregate& other) {
  copy_plain(other);
  if (kind_ == value_kind::string && other.u_.ord.text != nullptr)
    u_.ord.text = new texts(*other.u_.ord.text);
}

window_aggregate::window_aggregate(window_aggregate&& other) noexcept {
  copy_plain(other);
  if (kind_ == value_kind::string)
    other.u_.ord.text = nullptr;
}

window_aggregate& window_aggregate::operator=(const window_aggregate& other) {
  if (this != &other) {
    window_aggregate copy{other};
    swap(copy);
  }
  return *this;
}

window_aggregate& window_aggregate::operator=(window_aggregate&& other) noexcept {
  if (this != &other) {
    window_aggregate moved{std::move(other)};
    swap(moved);
  }
  return *this;
}

window_aggregate::~window_aggregate() {
  if (kind_ == value_kind::string)
    delete u_.ord.text;
}

void window_aggregate::copy_plain(const window_aggregate& other) {
  count_ = other.count_;
  first_ts_ = other.first_ts_;
  last_ts_ = other.last_ts_;
  first_seq_ = other.first_seq_;
  last_seq_ = other.last_seq_;
  kind_ = other.kind_;
  first_flag_ = other.first_flag_;
  last_flag_ = other.last_flag_;
  u_ = other.u_; // both parts are trivially copyable; the text pointer is fixed by the caller
}

void window_aggregate::swap(window_aggregate& other) noexcept {
  std::swap(count_, other.count_);
  std::swap(first_ts_, other.first_ts_);
  std::swap(last_ts_, other.last_ts_);
  std::swap(first_seq_, other.first_seq_);
  std::swap(last_seq_, other.last_seq_);
  std::swap(kind_, other.kind_);
  std::swap(first_flag_, other.first_flag_);
  std::swap(last_flag_, other.last_flag_);
  std::swap(u_, other.u_);
}

window_aggregate::texts& window_aggregate::ensure_text() {
  // Only called for string series, whose active part is ord.
  if (u_.ord.text == nullptr)
    u_.ord.text = new texts{};
  return *u_.ord.text;
}

bool window_aggregate::same_as(const sample& s, bool flag, const std::string* text) const {
  if (kind_ == value_kind::boolean)
    return s.flag == flag;
  return text != nullptr ? s.text == *text : s.text.empty();
}

void window_aggregate::add_numeric(double x) {
  auto& n = u_.num;
  if (count_ == 0) {
    n.min = n.max = x;
  } else {
    n.min = std::min(n.min, x);
    n.max = std::max(n.max, x);
  }
  compensated_add(n.sum, n.sum_compensation, x);
  ++count_;
  double delta = x - n.mean;
  n.mean += delta / static_cast<double>(count_);
  n.m2 += delta * (x - n.mean);
}

result<void, errc> window_aggregate::add(const sample& s) {
  if (s.kind != kind_)
    return make_unexpected(errc::kind_mismatch);
  auto key = key_of(s);
  if (kind_ == value_kind::numeric) {
    if (!std::isfinite(s.number))
      return make_unexpected(errc::non_finite_value);
    bool was_empty = count_ == 0;
    add_numeric(s.number);
    if (was_empty || key < first_key()) {
      first_ts_ = key.timestamp_ms;
      first_seq_ = key.seq;
      u_.num.first_number = s.number;
    }
    if (was_empty || last_key() < key) {
      last_ts_ = key.timestamp_ms;
      last_seq_ = key.seq;
      u_.num.last_number = s.number;
    }
    return {};
  }
  if (count_ == 0) {
    first_ts_ = last_ts_ = key.timestamp_ms;
    first_seq_ = last_seq_ = key.seq;
    first_flag_ = last_flag_ = s.flag;
    if (kind_ == value_kind::string) {
      auto& t = ensure_text();
      t.first = t.last = s.text;
    }
    count_ = 1;
    return {};
  }
  if (key <= last_key())
    return make_unexpected(errc::out_of_order);
  if (!same_as(s, last_flag_, text() ? &text()->last : nullptr))
    ++u_.ord.changes;
  if (kind_ == value_kind::boolean && last_flag_)
    u_.ord.true_ms += s.timestamp_ms - last_ts_;
  last_ts_ = key.timestamp_ms;
  last_seq_ = key.seq;
  last_flag_ = s.flag;
  if (kind_ == value_kind::string)
    ensure_text().last = s.text;
  ++count_;
  return {};
}

result<void, errc> window_aggregate::merge(const window_aggregate& later) {
  if (later.kind_ != kind_)
    return make_unexpected(errc::kind_mismatch);
  if (later.count_ == 0)
    return {};
  if (count_ == 0) {
    *this = later;
    return {};
  }
  if (kind_ == value_kind::numeric) {
    auto& a = u_.num;
    const auto& b = later.u_.num;
    double na = static_cast<double>(count_);
    double nb = static_cast<double>(later.count_);
    double n = na + nb;
    double delta = b.mean - a.mean;
    a.mean += delta * (nb / n);
    a.m2 += b.m2 + delta * delta * (na * nb / n);
    compensated_add(a.sum, a.sum_compensation, b.sum);
    a.sum_compensation += b.sum_compensation;
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
    count_ += later.count_;
    if (later.first_key() < first_key()) {
      first_ts_ = later.first_ts_;
      first_seq_ = later.first_seq_;
      a.first_number = b.first_number;
    }
    if (last_key() < later.last_key()) {
      last_ts_ = later.last_ts_;
      last_seq_ = later.last_seq_;
      a.last_number = b.last_number;
    }
    return {};
  }
  if (later.first_key() <= last_key())
    return make_unexpected(errc::out_of_order);
  bool boundary_change;
  if (kind_ == value_kind::boolean) {
    boundary_change = later.first_flag_ != last_flag_;
  } else {
    static const std::string empty;
    const std::string& later_first = later.text() ? later.text()->first : empty;
    const std::string& own_last = text() ? text()->last : empty;
    boundary_change = later_first != own_last;
  }
  u_.ord.changes += later.u_.ord.changes + (boundary_change ? 1 : 0);
  if (kind_ == value_kind::boolean && last_flag_)
    u_.ord.true_ms += later.first_ts_ - last_ts_;
  u_.ord.true_ms += later.u_.ord.true_ms;
  count_ += later.count_;
  last_ts_ = later.last_ts_;
  last_seq_ = later.last_seq_;
  last_flag_ = later.last_flag_;
  if (kind_ == value_kind::string)
    ensure_text().last = later.text() ? later.text()->last : std::string{};
  return {};
}

window_result window_aggregate::finish(uint64_t series_id, int64_t width_ms, int64_t start_ms,
                                       const sample* carry_in, int64_t until_ms) const {
  window_result r;
  r.series_id = series_id;
  r.width_ms = width_ms;
  r.start_ms = start_ms;
  r.end_ms = start_ms + width_ms;
  r.kind = kind_;
  r.count = count_;
  if (count_ == 0)
    return r;
  r.first_ts_ms = first_ts_;
  r.last_ts_ms = last_ts_;
  if (kind_ == value_kind::numeric) {
    const auto& n = u_.num;
    r.min = n.min;
    r.max = n.max;
    r.sum = n.sum + n.sum_compensation;
    r.mean = n.mean;
    r.stddev = std::sqrt(n.m2 / static_cast<double>(count_));
    r.first = n.first_number;
    r.last = n.last_number;
    return r;
  }
  // A carry-in of another kind or not before the window (caller error) counts as unknown.
  bool carry_known = carry_in != nullptr && carry_in->kind == kind_
                     && carry_in->timestamp_ms < start_ms;
  r.changes = u_.ord.changes;
  if (carry_known && !same_as(*carry_in, first_flag_, text() ? &text()->first : nullptr))
    ++r.changes;
  if (kind_ == value_kind::boolean) {
    r.last_flag = last_flag_;
    int64_t true_ms = u_.ord.true_ms;
    if (carry_known && carry_in->flag)
      true_ms += std::max<int64_t>(0, first_ts_ - start_ms);
    if (last_flag_) {
      int64_t until = std::max(std::min(until_ms, r.end_ms), last_ts_);
      true_ms += until - last_ts_;
    }
    r.time_true_ms = true_ms;
  } else if (text()) {
    r.last_text = text()->last;
  }
  return r;
}

} // namespace floe::windows
