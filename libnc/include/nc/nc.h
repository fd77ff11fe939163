/* libnc: neural codecs with a libavcodec-like API. One include for everything. */
#ifndef NC_NC_H
#define NC_NC_H

#include "nc/buffer.h"
#include "nc/codec.h"
#include "nc/container.h"
#include "nc/error.h"
#include "nc/export.h"
#include "nc/frame.h"
#include "nc/log.h"
#include "nc/model.h"
#include "nc/options.h"
#include "nc/packet.h"
#include "nc/version.h"

#endif
