// The wasmrt embedding API: include this one header. See docs/EMBEDDING.md.
#pragma once

#include "wasmrt/Engine.h"
#include "wasmrt/Error.h"
#include "wasmrt/Instance.h"
#include "wasmrt/Module.h"
#include "wasmrt/Objects.h"
#include "wasmrt/Store.h"
#include "wasmrt/Trap.h"
#include "wasmrt/Typed.h"
#include "wasmrt/Types.h"
#include "wasmrt/Version.h"
