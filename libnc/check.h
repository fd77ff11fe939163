/* One-line argument and error checks for libnc's own code (the zstd idea:
 * error paths stay one line long and say where they fired). */
#ifndef NC_CHECK_H
#define NC_CHECK_H

#include "nc/error.h"
#include "nc/log.h"

/* Public entry points validate every argument first. */
#define NC_CHECK_ARG(cond)                                                                 \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            nc_log(NULL, NC_LOG_ERROR, "%s: invalid argument: %s", __func__, #cond);       \
            return NC_EINVAL;                                                              \
        }                                                                                  \
    } while (0)

/* Returns err from the enclosing function after logging why, if cond holds. */
#define NC_RETURN_ERROR_IF(cond, err, ctx, ...)                                            \
    do {                                                                                   \
        if (cond) {                                                                        \
            nc_log(ctx, NC_LOG_ERROR, __VA_ARGS__);                                        \
            return (err);                                                                  \
        }                                                                                  \
    } while (0)

/* Passes a negative result of expr straight up. */
#define NC_FORWARD_IF_ERROR(expr)                                                          \
    do {                                                                                   \
        int nci_fwd_ret_ = (expr);                                                          \
        if (nci_fwd_ret_ < 0) return nci_fwd_ret_;                                           \
    } while (0)

#endif
