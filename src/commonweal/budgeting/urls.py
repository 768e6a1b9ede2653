from django.urls import path

from . import views

app_name = "budgeting"
budget = "areas/<str:code>/budgets/<slug:slug>/"
urlpatterns = [
    path("areas/<str:code>/budgets/", views.process_list, name="list"),
    path("areas/<str:code>/budgets/new/", views.process_new, name="new"),
    path(budget, views.process_detail, name="process"),
    path(f"{budget}phase/", views.process_phase, name="phase"),
    path(f"{budget}propose/", views.propose_idea, name="propose"),
    path(f"{budget}propose/where/", views.propose_place, name="propose-place"),
    path(f"{budget}propose/cost/", views.propose_cost, name="propose-cost"),
    path(f"{budget}propose/check/", views.propose_check, name="propose-check"),
    path(f"{budget}propose/submitted/", views.propose_done, name="propose-done"),
    path(f"{budget}review/", views.review_list, name="review-list"),
    path(f"{budget}review/<str:proposal>/", views.review, name="review"),
    path(f"{budget}vote/", views.vote, name="vote"),
    path(f"{budget}vote/remaining/", views.remaining, name="remaining"),
    path(f"{budget}receipt/", views.receipt, name="receipt"),
    path(f"{budget}paper/", views.paper_batch, name="paper"),
    path(f"{budget}paper/issue/", views.issue_paper, name="issue-paper"),
    path(f"{budget}results/", views.results, name="results"),
    path(f"{budget}results/receipt/", views.receipt_lookup, name="receipt-lookup"),
    path(f"{budget}ballots.pb", views.ballots_download, name="ballots"),
]
