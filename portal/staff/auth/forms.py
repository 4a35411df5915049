"""Sign-in forms; Flask-WTF's token is checked by the gate before these run."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.core.forms import PortalForm


class LoginForm(PortalForm):
    """Email and password; the password is never sent back to the browser."""

    email = EmailField(_l("メールアドレス"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()


class CodeForm(PortalForm):
    """A six-digit code from the authenticator, or a recovery code."""

    code = StringField(_l("確認コード"), validators=[DataRequired(), Length(max=40)])


class EnrolForm(CodeForm):
    """First sign-in: the code from the newly scanned authenticator and a password of one's own."""

    new_password = PasswordField(_l("新しいパスワード"), validators=[DataRequired(), Length(max=1024)])
    # Asked for only after an administrator's reset (see portal/staff/security/enrolment_codes.py).
    enrolment_code = StringField(_l("管理者から伝えられた登録コード"), validators=[Length(max=40)])


class NewPasswordForm(PortalForm):
    """A password of one's own in place of one that may be known to someone else, typed twice."""

    new_password = PasswordField(_l("新しいパスワード"), validators=[DataRequired(), Length(max=1024)])
    confirm_password = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("確認のため、同じパスワードをもう一度入力してください。")),
        ],
    )
