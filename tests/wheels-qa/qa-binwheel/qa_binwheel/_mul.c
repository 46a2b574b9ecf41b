#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *mul(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b))
        return NULL;
    return PyLong_FromLong(a * b);
}

static PyMethodDef methods[] = {{"mul", mul, METH_VARARGS, "Multiply two integers."}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_mul", NULL, -1, methods};

PyMODINIT_FUNC PyInit__mul(void) { return PyModule_Create(&module); }
