/* nc-train rvqspeech: trains the codec's network and quantizer (README.md). */
#ifndef NC_RVQSPEECH_TRAIN_H
#define NC_RVQSPEECH_TRAIN_H

/* argv[0] is "rvqspeech"; options are listed by --help. Returns a process exit
 * status (0 on success). */
int nc_rvqspeech_train(int argc, char **argv);

#endif
