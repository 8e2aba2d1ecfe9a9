#include "WasiTestUtil.h"
