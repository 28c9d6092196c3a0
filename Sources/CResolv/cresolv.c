// SwiftPM needs one source file per C target; everything lives in include/CResolv.h.
#include "CResolv.h"
