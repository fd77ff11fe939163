/* The list of convs that makes up the network (net.h). */
#include <stdio.h>

#include "codecs/rvqspeech/net.h"
#include "codecs/rvqspeech/spectral.h"

static void side(NCRvqConvSpec *out, const char *prefix, int cin, int c, int cout)
{
    snprintf(out[0].name, sizeof(out[0].name), "%s.in", prefix);
    out[0].cout = c, out[0].cin = cin, out[0].k = 3, out[0].dilation = 1;
    for (int u = 0; u < NC_RVQ_UNITS; u++) {
        NCRvqConvSpec *c1 = &out[1 + 2 * u], *c2 = &out[2 + 2 * u];
        snprintf(c1->name, sizeof(c1->name), "%s.rb%d.c1", prefix, u);
        snprintf(c2->name, sizeof(c2->name), "%s.rb%d.c2", prefix, u);
        c1->cout = c, c1->cin = c, c1->k = 3, c1->dilation = rvq_dilation(u);
        c2->cout = c, c2->cin = c, c2->k = 1, c2->dilation = 1;
    }
    NCRvqConvSpec *o = &out[1 + 2 * NC_RVQ_UNITS];
    snprintf(o->name, sizeof(o->name), "%s.out", prefix);
    o->cout = cout, o->cin = c, o->k = 1, o->dilation = 1;
}

void rvq_conv_specs(const NCRvqShape *sh, NCRvqConvSpec specs[NC_RVQ_CONVS])
{
    side(specs, "enc", NC_RVQ_BINS, sh->channels, sh->latent);
    side(specs + NC_RVQ_CONVS_PER_SIDE, "dec", sh->latent, sh->dec_channels, 2 * NC_RVQ_BINS);
}
