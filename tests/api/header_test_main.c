/* Linked with one translation unit per public header (see meson.build). */
int main(void)
{
    return 0;
}
