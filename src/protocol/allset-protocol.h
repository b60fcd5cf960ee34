/* allset-protocol.h — everything client and server share on the wire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "allset-chunker.h"
#include "allset-error.h"
#include "allset-hash.h"
#include "allset-io.h"
#include "allset-json.h"
#include "allset-json-reader.h"
#include "allset-json-writer.h"
#include "allset-path.h"
#include "allset-receipt.h"
#include "allset-signer.h"
#include "allset-size.h"
#include "allset-version.h"
