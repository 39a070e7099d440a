/* lapack.h: the BLAS and LAPACK routines gbtm calls (OpenBLAS provides
 * both), declared once with Fortran's calling convention: every argument by
 * pointer, matrices column-major. */
#ifndef GBTM_LAPACK_H
#define GBTM_LAPACK_H

/* C = alpha op(A) op(B) + beta C (the dense E-step). */
void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
            const double *alpha, const double *a, const int *lda, const double *b, const int *ldb,
            const double *beta, double *c, const int *ldc);
/* C = alpha A A' + beta C, or alpha A'A + beta C (the information matrix). */
void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
            const double *a, const int *lda, const double *beta, double *c, const int *ldc);
/* Cholesky factor of a symmetric positive definite matrix. */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
/* Solve from a Cholesky factor. */
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info);
/* Inverse from a Cholesky factor. */
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);
/* Eigenvalues (and vectors) of a symmetric matrix. */
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);

#endif
