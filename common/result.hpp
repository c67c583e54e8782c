#pragma once
// floe::result<T, E>: a value or an error, for code that must not throw on bad input
// (codec, storage, config). C++17 has no std::expected; this is the subset floe needs.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace floe {

template <class E>
struct unexpected {
  E error;
};

template <class E>
unexpected<std::decay_t<E>> make_unexpected(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E>
class result {
public:
  result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  template <class G>
  result(unexpected<G> e) : state_(std::in_place_index<1>, std::move(e.error)) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(state_); }
  const T& value() const& { assert(has_value()); return std::get<0>(state_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { assert(!has_value()); return std::get<1>(state_); }
  E&& error() && { assert(!has_value()); return std::get<1>(std::move(state_)); }

private:
  std::variant<T, E> state_;
};

// result<void, E>: success or an error.
template <class E>
class result<void, E> {
public:
  result() = default;
  template <class G>
  result(unexpected<G> e) : error_(std::move(e.error)), failed_(true) {}

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return !failed_; }
  const E& error() const& { assert(failed_); return error_; }

private:
  E error_{};
  bool failed_ = false;
};

} // namespace floe
