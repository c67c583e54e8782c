#define CAF_SUITE device_last_value
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "actors/host/device_actor.hpp"

using floe::host::last_value;
namespace sp = floe::sparkplug;

CAF_TEST(a new last value holds nothing) {
  last_value v;
  CAF_CHECK(std::holds_alternative<std::monostate>(v.get()));
}

CAF_TEST(every kind of value reads back as it was set whether inline or boxed) {
  std::vector<sp::value> kinds{true,
                               int64_t{-42},
                               uint64_t{18'446'744'073'709'551'615u},
                               1.5f,
                               -2.25,
                               std::string("a string longer than the small-string buffer"),
                               std::vector<double>{1.0, 2.0},
                               std::monostate{},
                               std::string("again boxed"),
                               std::vector<std::string>{"x"},
                               false};
  last_value v;
  for (const auto& k : kinds) {
    v.set(sp::value(k));
    CAF_CHECK(v.get() == k);
  }
}

CAF_TEST(a moved last value keeps its box and leaves nothing behind) {
  last_value a;
  a.set(sp::value(std::string("held on the heap")));
  last_value b(std::move(a));
  CAF_CHECK(b.get() == sp::value(std::string("held on the heap")));
  CAF_CHECK(std::holds_alternative<std::monostate>(a.get()));
  last_value c;
  c.set(sp::value(3.0));
  c = std::move(b);
  CAF_CHECK(c.get() == sp::value(std::string("held on the heap")));
  c.set(sp::value(int64_t{7}));
  CAF_CHECK(c.get() == sp::value(int64_t{7}));
}
