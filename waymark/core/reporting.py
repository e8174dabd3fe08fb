"""Error reports that never carry what was typed into a form."""

from django.views.debug import SafeExceptionReporterFilter


class NoRequestBodyExceptionReporterFilter(SafeExceptionReporterFilter):
    """Request bodies hold children's details, so error emails and pages leave them out."""

    def get_post_parameters(self, request):
        return {}

    def get_traceback_frame_variables(self, request, tb_frame):
        # Local variables may hold form data too; keep the names, hide the values.
        return [(name, self.cleansed_substitute) for name, _value in tb_frame.f_locals.items()]

    def is_active(self, request):
        return True
