/* Unfolding image patches into GEMM columns (im2col) and folding them back
 * (col2im), the core of every convolution in ops_conv.c. */
#ifndef NC_NN_IM2COL_H
#define NC_NN_IM2COL_H

/* An image of c x h x w seen through a kh x kw kernel with stride, dilation and
 * top/left padding, giving oh x ow output positions. */
typedef struct NNPatchGeom {
    int c, h, w;
    int kh, kw, sh, sw, dh, dw, pt, pl;
    int oh, ow;
} NNPatchGeom;

/* col[(ch * kh + i) * kw + j][oy * ow + ox] = img[ch][oy sh - pt + i dh][ox sw - pl + j dw],
 * zero outside the image. */
void nn_im2col(const float *img, const NNPatchGeom *q, float *col);
/* The adjoint: adds every column entry back into its image position. */
void nn_col2im_add(const float *col, const NNPatchGeom *q, float *img);
/* 1 if the columns equal the image itself (1x1 kernel, stride 1, no padding). */
int nn_patch_is_identity(const NNPatchGeom *q);

#endif
