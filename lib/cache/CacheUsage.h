// The cache's size accounting file, DIR/v1/usage: an estimate of the total size of all
// entries and the time of the last full scan. Stores add to it under an exclusive
// flock, so a store learns whether the bound may be exceeded without listing the
// directory; only eviction scans, and it resets the estimate to what it found.
//
// The estimate errs high, never low: a store adds its size before writing (a crashed
// writer's temp file stays counted), storing a key twice counts it twice, and entries
// deleted by hand still count. Erring high only makes the next scan come sooner, and
// that scan corrects the estimate. Anything that errs low (files copied in by hand) is
// corrected by the periodic rescan (kRescanInterval).
#pragma once

#include "wasmrt/Error.h"

#include <cstdint>
#include <string>

namespace wasmrt::internal::cache {

struct UsageRecord {
  uint64_t estimatedBytes = 0;
  int64_t lastScanSeconds = 0; // seconds since the epoch; 0 means never scanned
};

// Reads the record; a missing or unparsable file reads as {0, never scanned}, which
// makes the next store scan and rewrite it.
Expected<UsageRecord> readUsage(const std::string &path);

// Adds `deltaBytes` (clamped at zero) under the file's lock and returns the new record.
Expected<UsageRecord> addUsage(const std::string &path, int64_t deltaBytes);

// After a scan that began when the estimate was `estimateAtScanStart` and found
// `scannedBytes`: sets the estimate to scannedBytes plus whatever other processes added
// meanwhile (their stores may or may not have been seen by the scan; counting them
// again errs high) and stamps the scan time.
Expected<UsageRecord> recordScan(const std::string &path, uint64_t estimateAtScanStart,
                                 uint64_t scannedBytes, int64_t scanSeconds);

} // namespace wasmrt::internal::cache
