#pragma once
// The behaviour every storage implementation shares. Each suite that tests an implementation
// defines `struct fixture { storage& db(); }` (fresh, empty storage per test) and then includes
// storage_behaviour_tests.inc, which declares one CAF_TEST per function below, so memory and
// RocksDB are held to the same checks.

#include "store/storage.hpp"

namespace floe::store::behaviour {

void committed_puts_are_readable(storage& db);
void missing_key_is_not_found(storage& db);
void empty_batch_succeeds_and_writes_nothing(storage& db);
void later_operation_on_a_key_wins_within_a_batch(storage& db);
void erase_removes_only_its_key(storage& db);
void families_are_separate_key_spaces(storage& db);
void scan_visits_begin_inclusive_end_exclusive_in_byte_order(storage& db);
void scan_with_empty_end_runs_to_the_end_of_the_family(storage& db);
void scan_stops_at_the_limit_or_when_the_visitor_says_so(storage& db);
void descending_scan_starts_below_end(storage& db);
void empty_or_inverted_range_visits_nothing(storage& db);
void points_scan_in_time_order_across_negative_timestamps(storage& db);
void rewriting_a_point_duplicates_nothing(storage& db);
void retention_deletes_exactly_the_points_older_than_the_cutoff(storage& db);
void retention_deletes_windows_that_end_by_the_cutoff(storage& db);
void retention_of_other_families_is_invalid_argument(storage& db);
void retention_leaves_foreign_short_keys_alone(storage& db);
void approximate_size_grows_with_data(storage& db);
void unknown_family_index_is_invalid_argument(storage& db);

} // namespace floe::store::behaviour
