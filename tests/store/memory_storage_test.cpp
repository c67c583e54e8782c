#define CAF_SUITE store_memory
#include <caf/test/unit_test.hpp>

#include "value_or_fail.hpp"
#include "storage_behaviour.hpp"
#include "store/memory_storage.hpp"

using namespace floe::store;
using floe::store::test::value_or_fail;

namespace {

struct fixture {
  memory_storage store;
  storage& db() { return store; }
};

} // namespace

#include "storage_behaviour_tests.inc"

CAF_TEST(approximate_size_is_exact_key_and_value_bytes) {
  memory_storage db;
  write_batch b;
  b.put(family::meta, "abc", "12345");
  b.put(family::meta, "de", "");
  CAF_REQUIRE(db.commit(b).has_value());
  CAF_CHECK_EQUAL(value_or_fail(db.approximate_size(family::meta)), 10u);
  write_batch overwrite;
  overwrite.put(family::meta, "abc", "1");
  overwrite.erase(family::meta, "de");
  CAF_REQUIRE(db.commit(overwrite).has_value());
  CAF_CHECK_EQUAL(value_or_fail(db.approximate_size(family::meta)), 4u);
  CAF_CHECK_EQUAL(db.describe(), "memory");
}
