#pragma once
// value_or_fail(r): the value of a store::result or std::optional, failing the test when there
// is none. Returns by value: CAF_CHECK_EQUAL binds its arguments with auto&&, so `*temporary`
// there would dangle once the temporary dies.

#include <caf/test/unit_test.hpp>

#include <optional>
#include <utility>

#include "store/errc.hpp"

namespace floe::store::test {

template <class T>
T value_or_fail(result<T> r) {
  if (!r)
    CAF_FAIL("unexpected error: " << to_string(r.error()));
  return std::move(r).value();
}

template <class T>
T value_or_fail(std::optional<T> o) {
  CAF_REQUIRE(o.has_value());
  return std::move(*o);
}

} // namespace floe::store::test
