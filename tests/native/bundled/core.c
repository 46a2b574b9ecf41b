/* The extension module of the prebuilt wheels: cwbundled._core, cworigin._core. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

int cwa_value(void);

static PyObject *value(PyObject *self, PyObject *args) { return PyLong_FromLong(cwa_value()); }

static PyMethodDef methods[] = {{"value", value, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_core", NULL, -1, methods};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&module); }
