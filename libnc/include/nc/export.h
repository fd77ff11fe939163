/* NC_API marks the symbols libnc exports; everything else is hidden. */
#ifndef NC_EXPORT_H
#define NC_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define NC_API __attribute__((visibility("default")))
#else
#define NC_API
#endif

#endif
