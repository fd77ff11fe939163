/* SHA-256 against the FIPS 180-4 / NIST example vectors, whole and in pieces. */
#include <stdio.h>
#include <string.h>

#include "libnc/model/sha256.h"

static int check(const char *what, const void *data, size_t size, const char *want)
{
    uint8_t d[NC_SHA256_SIZE];
    char hex[2 * NC_SHA256_SIZE + 1];
    nci_sha256(data, size, d);
    nci_sha256_hex(d, hex);
    if (strcmp(hex, want)) {
        fprintf(stderr, "FAIL %s: %s != %s\n", what, hex, want);
        return 1;
    }
    /* the same bytes fed in uneven pieces must give the same digest */
    NCSha256 s;
    nci_sha256_init(&s);
    const uint8_t *p = data;
    for (size_t off = 0, step = 1; off < size; off += step, step = step * 3 % 71 + 1)
        nci_sha256_update(&s, p + off, step < size - off ? step : size - off);
    nci_sha256_final(&s, d);
    nci_sha256_hex(d, hex);
    if (strcmp(hex, want)) {
        fprintf(stderr, "FAIL %s in pieces: %s\n", what, hex);
        return 1;
    }
    return 0;
}

int main(void)
{
    int fail = 0;
    fail += check("empty", "", 0,
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    fail += check("abc", "abc", 3,
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    fail += check("448 bits", m448, strlen(m448),
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                       "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    fail += check("896 bits", m896, strlen(m896),
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    static char million[1000000];
    memset(million, 'a', sizeof(million));
    fail += check("a million a", million, sizeof(million),
                  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* 55, 56 and 64 bytes straddle the padding boundary */
    fail += check("55 a", million, 55,
                  "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    fail += check("56 a", million, 56,
                  "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    fail += check("64 a", million, 64,
                  "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    if (!fail)
        printf("sha256: all vectors match\n");
    return fail != 0;
}
