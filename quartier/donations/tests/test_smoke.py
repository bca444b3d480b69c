import pytest

from quartier.donations.tests.conftest import give


@pytest.mark.django_db
def test_smoke(page, client):
    donation = give(2500, page=page, credited_to=page.owner, show_name=True)
    page.refresh_from_db()
    assert page.total_minor == 2500
    for url in ["/donate/", f"/fundraise/{page.slug}/", "/fundraise/", f"/fundraise/{page.slug}/donate/"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:3000])
    assert "Élise R." in client.get(f"/fundraise/{page.slug}/").content.decode()
    assert donation.status == "succeeded"
